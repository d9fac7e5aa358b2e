/**
 * The forms in which a program may print a secret value. Each is a literal string the redactor looks for;
 * they are all derived once, when the value is registered, so masking a line never encodes anything.
 *
 * Every encoder below is a real one that servers use (JavaScript, Go, Python, PHP, browsers); a form that
 * coincides with another (most secrets have no character an encoder changes) is kept once.
 */

/** Lines of a multi-line secret shorter than this (after trimming) are not masked on their own. */
export const MIN_LINE_LENGTH = 8;

/** All forms of `value`: its own, and those of each substantial line when it spans several lines. */
export function encodedForms(value: string): Set<string> {
  const forms = new Set<string>();
  addAll(forms, textForms(value));
  for (const form of urlForms(value)) addAll(forms, jsonForms(form));
  for (const form of base64Forms(value)) addAll(forms, jsonForms(form));
  // Servers print keys one line at a time (PEM bodies, pretty-printed JSON): each line is masked alone too.
  if (value.includes('\n')) {
    for (const line of value.split('\n')) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_LINE_LENGTH && trimmed !== value) addAll(forms, textForms(trimmed));
    }
  }
  return forms;
}

function addAll(target: Set<string>, forms: Iterable<string>): void {
  for (const form of forms) target.add(form);
}

/** The value as printed plainly or inside a JSON string. */
function textForms(value: string): Set<string> {
  const forms = jsonForms(value);
  forms.add(value);
  return forms;
}

/**
 * The value inside a JSON string, as each common encoder writes it: JavaScript (`JSON.stringify`), with
 * `\/` (PHP, some Java), Go (`\u003c \u003e \u0026`, U+2028/9 escaped), ASCII-only (Python's default
 * `ensure_ascii`, PHP: `\u00e9`, surrogate pairs for the rest) with lower- or upper-case hex.
 */
function jsonForms(value: string): Set<string> {
  const base = JSON.stringify(value).slice(1, -1);
  // Only the variants that differ: most values have none of the characters concerned.
  const slashes = base.includes('/') ? [false, true] : [false];
  const htmls = /[<>&\u2028\u2029]/.test(base) ? [false, true] : [false];
  const asciis = /[\x7f-\uffff]/.test(base)
    ? (['none', 'lower', 'upper'] as const)
    : base.includes('\\u')
      ? (['none', 'upper'] as const)
      : (['none'] as const);
  const forms = new Set<string>();
  for (const slash of slashes) {
    for (const html of htmls) {
      for (const ascii of asciis) {
        let form = base;
        if (slash) form = form.replace(/\//g, '\\/');
        if (html) form = form.replace(/[<>&\u2028\u2029]/g, unicodeEscape);
        if (ascii !== 'none') form = form.replace(/[\x7f-\uffff]/g, unicodeEscape);
        if (ascii === 'upper') form = form.replace(/\\\\|\\u[0-9a-f]{4}/g, (sequence) => sequence.toUpperCase().replace('\\U', '\\u'));
        forms.add(form);
      }
    }
  }
  return forms;
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Percent-encodings. Encoders disagree on which characters they leave alone, so each real set is listed:
 * `encodeURIComponent`; the WHATWG URL userinfo (what `new URL` writes for a password); RFC 3986
 * userinfo and Go's `url.UserPassword` (both leave `$&+,;=`); RFC 3986 unreserved only (Python `quote`
 * with and without its default `/`, Go `QueryEscape`); HTML form encoding (`URLSearchParams`, Python
 * `quote_plus`, Go `QueryEscape`: `+` for a space). Each also with lower-case hex escapes.
 */
const URL_ENCODINGS: readonly { readonly keep: string; readonly plus: boolean }[] = [
  { keep: "-_.!~*'()", plus: false }, // encodeURIComponent
  { keep: "-_.!~*'()$%&+,", plus: false }, // WHATWG URL userinfo (new URL(...).password)
  { keep: "-_.~!$&'()*+,;=", plus: false }, // RFC 3986 userinfo
  { keep: '-_.~$&+,;=', plus: false }, // Go url.UserPassword
  { keep: '-_.~', plus: false }, // RFC 3986 unreserved: Python quote(safe='')
  { keep: '-_.~/', plus: false }, // Python quote (keeps /)
  { keep: '-_.~', plus: true }, // Python quote_plus, Go url.QueryEscape
  { keep: '*-_.', plus: true }, // application/x-www-form-urlencoded (URLSearchParams)
];

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX_UPPER = '0123456789ABCDEF';
const HEX_LOWER = '0123456789abcdef';

function urlForms(value: string): Set<string> {
  // UTF-8 as URL encoders see it (a lone surrogate becomes U+FFFD, as they do), encoded byte by byte:
  // a 1 MiB secret takes milliseconds this way, where a regex callback per escape took a second.
  const bytes = Buffer.from(value);
  const forms = new Set<string>();
  for (const { keep, plus } of URL_ENCODINGS) {
    const kept = new Uint8Array(128);
    for (const char of ALPHANUMERIC + keep) kept[char.charCodeAt(0)] = 1;
    forms.add(percentEncode(bytes, kept, plus, HEX_UPPER));
    forms.add(percentEncode(bytes, kept, plus, HEX_LOWER));
  }
  return forms;
}

function percentEncode(bytes: Uint8Array, kept: Uint8Array, plus: boolean, hex: string): string {
  const out = Buffer.allocUnsafe(bytes.length * 3);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte < 0x80 && kept[byte] === 1) {
      out[length++] = byte;
    } else if (byte === 0x20 && plus) {
      out[length++] = 0x2b;
    } else {
      out[length++] = 0x25;
      out[length++] = hex.charCodeAt(byte >> 4);
      out[length++] = hex.charCodeAt(byte & 15);
    }
  }
  return out.toString('latin1', 0, length);
}

/**
 * Base64 of the value's UTF-8 bytes at each of the three alignments a value can have inside a longer
 * payload (`Authorization: Basic base64("user:" + secret)` puts it at offset 5, i.e. 2), standard and
 * URL-safe. For each alignment only the characters made of the value's bits alone are kept: those at the
 * edges also carry bits of the neighbouring bytes, which differ from payload to payload. The value on its
 * own is also matched whole, padded and unpadded.
 */
function base64Forms(value: string): Set<string> {
  const bytes = Buffer.from(value);
  const whole = bytes.toString('base64');
  const standard = [whole, whole.replace(/=+$/, '')];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    standard.push(encoded.slice(first, end));
  }
  const forms = new Set<string>();
  for (const form of standard) {
    forms.add(form);
    forms.add(form.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}
