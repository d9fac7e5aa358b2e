import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { ConfigError } from '../../src/core/config/issues.js';
import { parseConfig } from '../../src/core/config/load.js';
import { exitCodeFor, isStagecraftError } from '../../src/core/errors.js';
import { backendProviders } from '../../src/core/registry.js';
import '../../src/providers/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeFiles } from '../helpers/temp.js';
import { recordFigure } from './figures.js';

// Reproducible runs; a failure prints the seed and the counterexample (fast-check shrinks it).
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const PER_GENERATOR = 500;
/**
 * CPU time (not wall-clock: a busy machine stretches that) one document may cost. Real documents take
 * about a millisecond; the budget only catches superlinear blow-ups (a 100 KB value once cost seconds in
 * "did you mean"). The slowest figure is recorded for the benchmark, which is where speed is judged.
 */
const CPU_BUDGET_MS = 1500;

const GENERIC_BASE = {
  project: { name: 'shop', registry: 'ghcr.io/acme' },
  environments: { dev: { env_file: '.env.dev' } },
  backend: {
    provider: 'generic',
    providers: {
      generic: {
        dev: {
          command: ['node', 'server.mjs'],
          workdir: '.',
          env: { PORT: 3000 },
          secrets: ['API_KEY'],
          ready: { tcp: '127.0.0.1:3000', timeout: '30s' },
          stop_signal: 'SIGTERM',
          stop_timeout: '10s',
        },
        build: { dockerfile: 'Dockerfile', context: '.', image_name: 'web' },
      },
    },
  },
};

const ENCORE_BASE = {
  project: { name: 'platform', registry: 'ghcr.io/your-org/platform' },
  backend: {
    provider: 'encore-ts',
    providers: {
      'encore-ts': {
        dev: {
          workdir: '.',
          env_file: '.env.local',
          listen: '127.0.0.1:4000',
          disable_telemetry: true,
          debug: 'enabled',
          browser: 'never',
          log_level: 'info',
          ready_timeout: '120s',
          encore_secrets: {
            from_env: ['STRIPE_API_KEY'],
            types: ['local'],
            store: 'auto',
            mode: 'grouped',
            concurrency: 4,
            timeout: '30s',
          },
        },
        build: { workdir: '.', image_name: 'api', docker_tag_suffix: '-encore', arch: 'amd64', services: ['hello'] },
      },
    },
  },
};

type Outcome = { code: number; issues: number; cpuMs: number; error?: unknown };

/** CPU milliseconds (user + system) this process has spent since `since`. */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** What `stagecraft config validate` would do with `text`, in-process: exit code, issue count, CPU time. */
function validate(project: string, text: string): Outcome {
  const started = process.cpuUsage();
  try {
    parseConfig(text, {
      cwd: project,
      file: join(project, 'stagecraft.yml'),
      displayFile: 'stagecraft.yml',
      processEnv: {},
      operations: ['dev', 'build'],
      environment: 'dev',
      registry: backendProviders,
    });
    return { code: 0, issues: 0, cpuMs: cpuMsSince(started) };
  } catch (error) {
    const cpuMs = cpuMsSince(started);
    if (!isStagecraftError(error)) return { code: 5, issues: 0, cpuMs, error };
    if (error instanceof ConfigError) {
      for (const issue of error.issues) {
        assert.ok(issue.line >= 1 && issue.column >= 1, `issue without a position: ${JSON.stringify(issue)}`);
        assert.ok(issue.field.length > 0, `issue without a field: ${JSON.stringify(issue)}`);
      }
    }
    return { code: exitCodeFor(error), issues: error instanceof ConfigError ? error.issues.length : 1, cpuMs, error };
  }
}

function assertHandled(outcome: Outcome, text: string): void {
  assert.ok(
    outcome.code === 0 || outcome.code === 1,
    `exit ${outcome.code} for ${JSON.stringify(text.slice(0, 300))}: ${String(outcome.error)}`,
  );
  assert.ok(
    outcome.cpuMs < CPU_BUDGET_MS,
    `took ${outcome.cpuMs.toFixed(0)} ms of CPU for ${JSON.stringify(text.slice(0, 200))} (${text.length} characters)`,
  );
}

/** Every path to a value of `value` (maps and lists), for choosing what to mutate. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item, i) => paths(item, [...prefix, i]))];
  if (value !== null && typeof value === 'object')
    return [prefix, ...Object.entries(value).flatMap(([key, item]) => paths(item, [...prefix, key]))];
  return [prefix];
}

function setAt(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = replacement;
  return copy;
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { level: value };
  return value;
}

/** Values a field may wrongly hold: wrong types, empty, huge, odd unicode, NUL bytes, deep nesting. */
const hostileValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, Number.POSITIVE_INFINITY, Number.NaN, 65536, '', ' ', [], {}, [[]], { a: 1 }),
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\u202Eevil', 'e\u0301\u0301\u0301', '🦄🦄', '\uFEFFbom', 'x'.repeat(100_000)),
  fc.integer(),
  fc.double(),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }),
  fc.integer({ min: 50, max: 400 }).map(deeplyNested),
);

test(`config fuzzing: ${PER_GENERATOR * 4}+ generated documents never crash (exit 0 or 1), always locate their errors`, (t) => {
  const project = tempDir(t);
  writeFiles(project, { '.env.dev': '', '.env.local': '', Dockerfile: 'FROM scratch\n', 'server.mjs': '' });
  const codes = { 0: 0, 1: 0 } as Record<number, number>;
  let documents = 0;
  let issues = 0;
  let slowest = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  const check = (text: string) => {
    const outcome = validate(project, text);
    assertHandled(outcome, text);
    documents++;
    issues += outcome.issues;
    slowest = Math.max(slowest, outcome.cpuMs);
    codes[outcome.code] = (codes[outcome.code] ?? 0) + 1;
  };
  const options = { numRuns: PER_GENERATOR, seed: SEED };

  // 1. Arbitrary text: mostly not YAML, or YAML of the wrong shape.
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => check(text)),
    options,
  );
  // 2. Arbitrary YAML structures.
  fc.assert(
    fc.property(fc.anything({ maxDepth: 4 }), (value) => check(stringify(value) ?? '')),
    options,
  );
  // 3-4. A valid config of each provider with one field replaced by a hostile value.
  for (const base of [GENERIC_BASE, ENCORE_BASE]) {
    assert.equal(validate(project, stringify(base)).code, 0, `the ${base.backend.provider} base config is valid`);
    const locations = paths(base);
    fc.assert(
      fc.property(fc.constantFrom(...locations), hostileValue, (path, value) => check(stringify(setAt(base, path, value)))),
      options,
    );
  }
  // 5. Text-level damage YAML parsers must survive: duplicate keys, anchors, alias bombs, deep flow nesting.
  const valid = stringify(ENCORE_BASE);
  const lines = valid.split('\n');
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: lines.length - 2 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 100, max: 3000 }),
      (line, fanout, depth) => {
        check([...lines.slice(0, line + 1), lines[line], ...lines.slice(line + 1)].join('\n'));
        check(`${bomb(fanout)}\n${valid}`);
        check(`project: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
        check(`x: &a [1]\ny: *a\n${valid}`);
      },
    ),
    { numRuns: 60, seed: SEED },
  );
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  assert.ok(heapGrowthMb < 300, `heap grew by ${heapGrowthMb.toFixed(0)} MB`);
  assert.ok(documents >= 2000);
  recordFigure('config-fuzz', {
    documents,
    valid: codes[0] ?? 0,
    rejected: codes[1] ?? 0,
    issues,
    slowestMs: Math.round(slowest), // CPU time of the slowest document
    seed: SEED,
  });
});

/** A "billion laughs" document: each level references the previous one `fanout` times. */
function bomb(fanout: number): string {
  const levels = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 9; i++)
    levels.push(
      `l${i}: &l${i} [${Array(fanout)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return levels.join('\n');
}

test('a billion-laughs document is refused, not expanded, in bounded time and memory', (t) => {
  const project = tempDir(t);
  const before = process.memoryUsage().rss;
  const outcome = validate(project, `${bomb(10)}\n${stringify(GENERIC_BASE)}`);
  assert.equal(outcome.code, 1);
  assert.match(String((outcome.error as Error).message), /has 1 problem/);
  assert.match(String((outcome.error as ConfigError).detail), /too many alias expansions/);
  assert.ok(outcome.cpuMs < CPU_BUDGET_MS, `${outcome.cpuMs.toFixed(0)} ms of CPU`);
  assert.ok(process.memoryUsage().rss - before < 100 * 2 ** 20, 'the 10^9 nodes were never built');
});

test('the real CLI agrees with the in-process results on a sample of generated documents', async (t) => {
  const project = tempDir(t);
  writeFiles(project, { '.env.dev': '', '.env.local': '', Dockerfile: 'FROM scratch\n', 'server.mjs': '' });
  const samples = fc.sample(
    fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.tuple(fc.constantFrom(...paths(GENERIC_BASE)), hostileValue).map(([path, value]) => stringify(setAt(GENERIC_BASE, path, value))),
      fc.tuple(fc.constantFrom(...paths(ENCORE_BASE)), hostileValue).map(([path, value]) => stringify(setAt(ENCORE_BASE, path, value))),
    ),
    { numRuns: 20, seed: SEED },
  );
  for (const text of samples) {
    writeFiles(project, { 'stagecraft.yml': text });
    const expected = validate(project, text).code;
    const result = await runCli(['config', 'validate'], { cwd: project });
    assert.equal(result.code, expected, `${JSON.stringify(text.slice(0, 200))}\n${result.stderr}`);
    if (result.code === 1) assert.match(result.stderr, /INVALID_CONFIG/);
  }
  recordFigure('config-fuzz-cli', { documents: samples.length });
  // parse() is used above only to keep the base configs honest YAML round-trips.
  assert.deepEqual(parse(stringify(GENERIC_BASE)), GENERIC_BASE);
});
