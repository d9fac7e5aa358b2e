import { encodedForms } from './encodings.js';
import { type WordFinder, wordFinder } from './word-finder.js';

export const MASK = '***';

/**
 * Shorter values are not masked: masking `1` or `on` would rewrite every number and word of the log
 * (`after ***.0s`) while hiding nothing a reader could not guess. Providers warn about such secrets.
 */
export const MIN_MASKED_LENGTH = 4;

/**
 * Forms are found by their first ANCHOR_LENGTH characters (one regular expression for all of them), and a
 * longer form is then compared whole where its anchor occurs. The expression thus stays small whatever
 * the secrets' length (a 1 MiB key adds a few dozen anchors, not megabytes of pattern).
 */
const ANCHOR_LENGTH = 32;

/**
 * The set of secret values that must never be shown. Every log record and child output line passes
 * through `mask` before it is formatted, so a secret cannot reach stderr or an error by any path.
 * (Results on stdout do not: they are built from configuration, see CommandContext.print.)
 *
 * Besides the raw value it masks the forms a program is likely to print it in (see encodings.ts), all
 * derived once when the value is registered. Wherever any form occurs, its characters are masked, even
 * when occurrences overlap; overlapping and adjacent ones become one `***`.
 */
export class Redactor {
  readonly #values = new Set<string>();
  readonly #forms = new Set<string>();
  #matcher: Matcher | undefined;

  /** Registers a secret value. Returns false for a value too short to mask (see MIN_MASKED_LENGTH). */
  add(value: string): boolean {
    if (value.length < MIN_MASKED_LENGTH) return false;
    if (!this.#values.has(value)) {
      this.#values.add(value);
      for (const form of encodedForms(value)) if (form.length >= MIN_MASKED_LENGTH) this.#forms.add(form);
      this.#matcher = undefined;
    }
    return true;
  }

  get size(): number {
    return this.#values.size;
  }

  mask(text: string): string {
    if (this.#forms.size === 0) return text;
    const spans = this.#compiled().spans(text);
    if (spans.length === 0) return text;
    let masked = '';
    let from = 0;
    for (let i = 0; i < spans.length; i += 2) {
      masked += `${text.slice(from, spans[i])}${MASK}`;
      from = spans[i + 1] as number;
    }
    return masked + text.slice(from);
  }

  /**
   * Where `text` may be cut when the rest of it is dropped (a line too long to keep): before any value
   * that may continue beyond the end, and before the whole of any value that overlaps it, so that what is
   * kept never ends in part of a secret that masking could no longer recognise. `text.length` when
   * nothing at its end could be the start of a secret.
   */
  safeCutLength(text: string): number {
    if (this.#forms.size === 0) return text.length;
    const matcher = this.#compiled();
    const cut = matcher.partialStart(text);
    if (cut === text.length) return cut;
    const spans = matcher.spans(text);
    for (let i = 0; i < spans.length; i += 2) {
      if ((spans[i] as number) < cut && (spans[i + 1] as number) > cut) return spans[i] as number;
    }
    return cut;
  }

  #compiled(): Matcher {
    this.#matcher ??= new Matcher(this.#forms);
    return this.#matcher;
  }
}

const NO_SPANS: readonly number[] = [];

/** Finds every occurrence of a fixed set of forms in a text. */
class Matcher {
  /** Finds short forms and the anchors of long ones. */
  readonly #finder: WordFinder;
  /** Anchor → the longer forms that start with it, longest first. */
  readonly #long = new Map<string, string[]>();
  /** Anchor that is no form itself → length of the longest short form it starts with (0: none). */
  readonly #fallback = new Map<string, number>();
  /** Short forms and anchors, sorted, to tell whether a text ends with the start of one. */
  readonly #sorted: string[];
  readonly #longestForm: number;
  /** Smallest period of each long form that recurred inside its own occurrence, computed when first needed. */
  readonly #periods = new Map<string, number>();
  /** The long form found last in the current text, and where. */
  #lastForm = '';
  #lastStart = -1;

  constructor(forms: ReadonlySet<string>) {
    const short = new Set<string>();
    let longest = 0;
    for (const form of forms) {
      longest = Math.max(longest, form.length);
      if (form.length <= ANCHOR_LENGTH) {
        short.add(form);
        continue;
      }
      const anchor = form.slice(0, ANCHOR_LENGTH);
      const list = this.#long.get(anchor);
      if (list) list.push(form);
      else this.#long.set(anchor, [form]);
    }
    for (const [anchor, list] of this.#long) {
      list.sort((a, b) => b.length - a.length);
      if (!short.has(anchor)) this.#fallback.set(anchor, longestShortPrefix(anchor, short));
    }
    const words = [...new Set([...short, ...this.#long.keys()])];
    this.#finder = wordFinder(words);
    this.#sorted = words.sort();
    this.#longestForm = longest;
  }

  /** Merged [start, end) pairs, flat and in order, covering every occurrence of every form. */
  spans(text: string): readonly number[] {
    const finder = this.#finder;
    let start = finder.find(text, 0);
    if (start === -1) return NO_SPANS;
    const spans: number[] = [];
    let coveredUntil = -1;
    this.#lastForm = '';
    while (start !== -1) {
      const length = this.#lengthAt(text, start, finder.found, coveredUntil);
      if (length > 0) {
        const end = start + length;
        if (start <= coveredUntil) {
          if (end > coveredUntil) spans[spans.length - 1] = coveredUntil = end;
        } else {
          spans.push(start, end);
          coveredUntil = end;
        }
      }
      // Occurrences may overlap (one secret's end is another's start): look again one character on.
      start = finder.find(text, start + 1);
    }
    return spans;
  }

  /** The longest form at `start`, given what the expression matched there; 0 for none. */
  #lengthAt(text: string, start: number, found: string, coveredUntil: number): number {
    const longer = this.#long.get(found);
    if (longer !== undefined) {
      for (const form of longer) {
        // Longest first: once a form could not reach past what is already masked, no shorter one can.
        if (start + form.length <= coveredUntil) break;
        if (this.#occursAt(text, form, start)) return form.length;
      }
    }
    return this.#fallback.get(found) ?? found.length;
  }

  /**
   * Whether `form` occurs at `start`. Where it recurs inside its own last occurrence (a secret like
   * `abab…` in a line of `abab…`), only the characters beyond that occurrence are compared: comparing
   * the whole form at each step would cost its length per character of the line.
   */
  #occursAt(text: string, form: string, start: number): boolean {
    const shift = start - this.#lastStart;
    const length = form.length;
    let occurs: boolean;
    if (form === this.#lastForm && shift < length) {
      // text[start, lastStart + length) is form[shift, length); it must equal form[0, length - shift).
      occurs = this.#hasPeriod(form, shift) && text.startsWith(form.slice(length - shift), this.#lastStart + length);
    } else {
      occurs = text.startsWith(form, start);
    }
    if (occurs) {
      this.#lastForm = form;
      this.#lastStart = start;
    }
    return occurs;
  }

  /** Whether `form` repeats itself after `shift` characters (form[i] = form[i + shift] throughout). */
  #hasPeriod(form: string, shift: number): boolean {
    let period = this.#periods.get(form);
    if (period === undefined) {
      period = smallestPeriod(form);
      this.#periods.set(form, period);
    }
    // A period no longer than length - smallest is a multiple of the smallest (Fine and Wilf); a longer
    // one is checked directly, on fewer than `period` characters.
    if (shift <= form.length - period) return shift % period === 0;
    return form.startsWith(form.slice(shift));
  }

  /** The earliest position from which the rest of `text` is the start (not the whole) of some form. */
  partialStart(text: string): number {
    const end = text.length;
    // Longer than an anchor: an anchor occurs there, and one of its forms starts with the rest.
    const finder = this.#finder;
    for (let start = finder.find(text, Math.max(0, end - this.#longestForm + 1)); start !== -1; start = finder.find(text, start + 1)) {
      if (end - start <= ANCHOR_LENGTH) break;
      const rest = text.slice(start);
      if (this.#long.get(finder.found)?.some((form) => form.length > rest.length && form.startsWith(rest))) return start;
    }
    for (let start = Math.max(0, end - ANCHOR_LENGTH); start < end; start++) {
      if (this.#startsSomeForm(text.slice(start))) return start;
    }
    return end;
  }

  /** Whether `rest` is a proper prefix of a form (a short form, or any prefix of an anchor). */
  #startsSomeForm(rest: string): boolean {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#sorted[middle] as string) < rest) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < this.#sorted.length; i++) {
      const word = this.#sorted[i] as string;
      if (!word.startsWith(rest)) return false;
      if (word.length > rest.length || this.#long.has(word)) return true;
    }
    return false;
  }
}

/** The smallest p such that text[i] = text[i + p] for every i (Knuth–Morris–Pratt failure function). */
function smallestPeriod(text: string): number {
  const border = new Int32Array(text.length);
  for (let i = 1, k = 0; i < text.length; i++) {
    while (k > 0 && text.charCodeAt(i) !== text.charCodeAt(k)) k = border[k - 1] as number;
    if (text.charCodeAt(i) === text.charCodeAt(k)) k++;
    border[i] = k;
  }
  return text.length - (border[text.length - 1] as number);
}

function longestShortPrefix(anchor: string, short: ReadonlySet<string>): number {
  for (let length = anchor.length - 1; length >= MIN_MASKED_LENGTH; length--) {
    if (short.has(anchor.slice(0, length))) return length;
  }
  return 0;
}
