import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { LineSplitter } from '../process/lines.js';
import { TailBuffer } from '../process/tail.js';
import { MASK, Redactor } from './redactor.js';

// Every encoded form below is derived here, independently of the product's encodings.ts: with the
// platform's own encoders (URL, URLSearchParams, Buffer, JSON.stringify) or an escaper written out here.

/** A secret with characters every encoder treats differently: space, URL delimiters, quotes, non-ASCII, astral. */
const SECRET = 'p@ss w/rd$&+,;=<>"é😀~!*';

/** Python's json.dumps (ensure_ascii=True): ASCII printable kept, \" \\ \n \r \t \b \f, the rest \u00xx lower-case. */
function pythonJson(value: string): string {
  const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i] as string;
    const code = value.charCodeAt(i);
    out += short[char] ?? (code >= 0x20 && code <= 0x7e ? char : `\\u${code.toString(16).padStart(4, '0')}`);
  }
  return out;
}

/** Go's encoding/json: JSON.stringify, with <, > and & as \u003c \u003e \u0026. */
function goJson(value: string): string {
  return JSON.stringify(value).slice(1, -1).replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026');
}

function whatwgPassword(value: string): string {
  const url = new URL('https://user@example.com/');
  url.password = value;
  return url.password;
}

function assertMasked(redactor: Redactor, form: string, label: string): void {
  const masked = redactor.mask(`before ${form} after`);
  assert.equal(masked, `before ${MASK} after`, `${label}: ${JSON.stringify(form)}`);
}

test('a secret is masked in the forms real encoders print it in (URL, form, JSON of Go, Python, PHP)', () => {
  const redactor = new Redactor();
  redactor.add(SECRET);
  const forms: Record<string, string> = {
    raw: SECRET,
    encodeURIComponent: encodeURIComponent(SECRET),
    'lower-case percent escapes': encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    'WHATWG URL password': whatwgPassword(SECRET),
    'form encoding (URLSearchParams)': new URLSearchParams({ k: SECRET }).toString().slice(2),
    'JSON (JSON.stringify)': JSON.stringify(SECRET).slice(1, -1),
    'JSON with \\/': JSON.stringify(SECRET).slice(1, -1).replaceAll('/', '\\/'),
    'Go JSON': goJson(SECRET),
    'Python JSON (ensure_ascii)': pythonJson(SECRET),
    'base64 alone': Buffer.from(SECRET).toString('base64'),
  };
  assert.ok(whatwgPassword(SECRET).includes('$&+,'), 'the URL password form leaves $&+, unencoded');
  assert.ok(pythonJson(SECRET).includes('\\u00e9') && pythonJson(SECRET).includes('\\ud83d\\ude00'));
  for (const [label, form] of Object.entries(forms)) {
    assert.notEqual(form, label === 'raw' ? '' : SECRET, label);
    assertMasked(redactor, form, label);
  }
});

test('base64 is masked at every alignment, so Authorization: Basic base64(user:secret) is too', () => {
  const secret = 'correct-horse-battery-staple';
  const redactor = new Redactor();
  redactor.add(secret);
  for (const prefix of ['', 'a', 'ab', 'abc', 'user:', 'admin:']) {
    const encoded = Buffer.from(`${prefix}${secret}!`).toString('base64');
    const masked = redactor.mask(`Authorization: Basic ${encoded}`);
    // At most the characters shared with the neighbouring bytes stay: ceil((prefix + 1 byte) * 8 / 6) and 4 at the end.
    const before = Math.ceil((prefix.length * 8) / 6);
    assert.match(masked, new RegExp(`^Authorization: Basic [A-Za-z0-9+/]{0,${before}}\\*\\*\\*[A-Za-z0-9+/=]{0,4}$`), `prefix ${prefix}`);
    const urlSafe = encoded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    assert.ok(redactor.mask(`t=${urlSafe}`).includes(MASK), `URL-safe, prefix ${JSON.stringify(prefix)}`);
  }
});

test('a 1 MiB secret registers and is masked, raw, in JSON and in base64', () => {
  const secret = randomBytes(768 * 1024).toString('base64');
  assert.equal(secret.length, 1024 * 1024);
  const redactor = new Redactor();
  assert.equal(redactor.add(secret), true);
  assert.equal(redactor.mask(`key=${secret};`), `key=${MASK};`);
  assert.equal(redactor.mask(`{"key":${JSON.stringify(secret)}}`), `{"key":"${MASK}"}`);
  assert.equal(redactor.mask(`b64 ${Buffer.from(secret).toString('base64')}`), `b64 ${MASK}`);
  // Its start alone is not the secret: shown as it is.
  assert.equal(redactor.mask(`half ${secret.slice(0, 1000)}`), `half ${secret.slice(0, 1000)}`);
});

test('a multi-line secret (a PEM key) is masked whole and line by line; lines under 8 characters are not', () => {
  const body = randomBytes(1200)
    .toString('base64')
    .match(/.{1,64}/g) as string[];
  const pem = ['-----BEGIN PRIVATE KEY-----', ...body, 'short', '-----END PRIVATE KEY-----', ''].join('\n');
  assert.ok(pem.length > 1500, 'longer than what overflowed the old pattern builder');
  const redactor = new Redactor();
  redactor.add(pem);
  assert.equal(redactor.mask(`key: ${pem}`), `key: ${MASK}`);
  assert.equal(redactor.mask(JSON.stringify({ key: pem })), `{"key":"${MASK}"}`);
  for (const line of body) assert.equal(redactor.mask(`server │ ${line}`), `server │ ${MASK}`);
  assert.equal(redactor.mask('   -----END PRIVATE KEY-----'), `   ${MASK}`);
  assert.equal(redactor.mask('short'), 'short');
});

test('overlapping occurrences are masked as one: no part of either secret is left', () => {
  const redactor = new Redactor();
  redactor.add('hunter22');
  redactor.add('22xyzzy99');
  assert.equal(redactor.mask('a hunter22xyzzy99 b'), `a ${MASK} b`);
  assert.equal(redactor.mask('hunter22hunter22'), MASK);
});

test('an over-long line is cut before a secret that straddles the cut, never inside it', () => {
  const secret = 'sk_live_0123456789abcdefghij';
  const redactor = new Redactor();
  redactor.add(secret);
  const max = 1000;
  for (const before of [max - 30, max - 20, max - 5, max - 1]) {
    const lines: string[] = [];
    const splitter = new LineSplitter(
      (line) => lines.push(line),
      max,
      (kept) => redactor.safeCutLength(kept),
    );
    splitter.push(Buffer.from(`${'x'.repeat(before)}${secret}${'y'.repeat(5000)}\n`));
    const shown = redactor.mask(lines[0] as string);
    assert.ok(!shown.includes('sk_live'), `secret at ${before}: ${shown.slice(before - 10, before + 40)}`);
    assert.match(shown, / … \[line truncated: \d+ more bytes\]$/);
    const kept = shown.replace(/ … \[line truncated: (\d+) more bytes\]$/, '');
    const dropped = Number(/(\d+) more bytes/.exec(shown)?.[1]);
    assert.equal(
      Buffer.byteLength(kept.replace(MASK, secret)) + dropped,
      before + secret.length + 5000,
      'the count covers what was held back',
    );
  }
});

test('the error tail masks before it cuts: a secret straddling the 300th character leaves nothing', () => {
  const secret = 'tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const redactor = new Redactor();
  redactor.add(secret);
  const tail = new TailBuffer();
  tail.push(`${'e'.repeat(290)}${secret} and more`);
  tail.push(`${'f'.repeat(400)}${secret}`);
  const text = tail.masked(redactor);
  assert.ok(!text.includes('tok_'), text);
  assert.ok(text.startsWith(`${'e'.repeat(290)}${MASK}`));
});

test('a secret that repeats itself (abab…) in a line that repeats it too is masked exactly where it occurs', () => {
  for (const secret of ['ab'.repeat(20), 'abc'.repeat(15), `${'a'.repeat(36)}b`, `${'xyz'.repeat(12)}xy`]) {
    const redactor = new Redactor();
    redactor.add(secret);
    for (let run = 0; run < 120; run += 7) {
      for (const text of [
        `<${secret.repeat(3).slice(0, secret.length + run)}>`,
        `${secret.slice(0, run % secret.length)}${secret}${secret.slice(3)}${secret}`,
      ]) {
        // The obvious way: mark every character inside any occurrence, then collapse each marked run.
        const marked = new Array<boolean>(text.length).fill(false);
        for (let i = text.indexOf(secret); i !== -1; i = text.indexOf(secret, i + 1)) marked.fill(true, i, i + secret.length);
        let expected = '';
        for (let i = 0; i < text.length; i++) {
          if (!marked[i]) expected += text[i];
          else if (i === 0 || !marked[i - 1]) expected += MASK;
        }
        assert.equal(redactor.mask(text), expected, `${JSON.stringify(secret)} in ${JSON.stringify(text)}`);
      }
    }
  }
});
