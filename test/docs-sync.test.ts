import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ROOT, renderAll, renderReference } from '../scripts/gen-docs.js';

test('the configuration reference, docs page and shipped JSON Schema match the code (run `npm run docs`)', () => {
  for (const [path, expected] of Object.entries(renderAll())) {
    assert.equal(readFileSync(join(ROOT, path), 'utf8'), expected, `${path} is stale: run \`npm run docs\``);
  }
});

test('the reference has a table per map, with types, defaults and required fields', () => {
  const text = renderReference({
    properties: {
      name: { type: 'string', description: 'The name.' },
      mode: { enum: ['a', 'b'], default: 'a' },
      nested: { type: 'object', description: 'Inner block.', properties: { list: { type: 'array', items: { type: 'string' } } } },
    },
    required: ['name'],
  });
  assert.match(text, /### Top level/);
  assert.match(text, /\| `name` \| string \| \*\*required\*\* \| The name\. \|/);
  assert.match(text, /\| `mode` \| "a" \\\| "b" \| `"a"` \|/);
  assert.match(text, /### `nested`\n\nInner block\./);
  assert.match(text, /\| `list` \| list of string \|/);
});

test('the example configs validate against the shipped JSON Schema', async () => {
  const { Ajv } = await import('ajv');
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'stagecraft.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  for (const example of [
    'generic-node/stagecraft.yml',
    'encore-ts/stagecraft.yml',
    'encore-ts/stagecraft.fullstack.yml',
    'fullstack/stagecraft.yml',
  ]) {
    const config = parse(readFileSync(join(ROOT, 'examples', example), 'utf8')) as unknown;
    assert.equal(validate(config), true, `${example}: ${JSON.stringify(validate.errors)}`);
  }
  // The check can fail: a typo in a key is rejected by the schema too.
  const typo = parse(readFileSync(join(ROOT, 'examples', 'encore-ts', 'stagecraft.yml'), 'utf8').replace('listen:', 'lisen:')) as unknown;
  assert.equal(validate(typo), false);
});
