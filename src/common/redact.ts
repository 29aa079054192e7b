/**
 * The one redaction every backend's texts pass through: configured secrets cut out of a text a
 * server (or anything else) may have echoed them into, in the forms an echo takes:
 *
 * - as given, or in other letter case (a server upper-casing a header value);
 * - percent-encoded, wholly or in part (a URL, a form body);
 * - base64 or base64url encoded, alone or inside a longer encoded value (a basic-auth header);
 * - truncated, when at least two thirds of it (and 8 characters) are there, from either end (a text
 *   cut at a length, a cap of our own): less would cut ordinary words out of a text (the first half
 *   of "hostile-error" is a word);
 * - a JSON Web Token also by each of its three parts (a server quoting the header, claims or
 *   signature), and any bearer token at all (`eyJ….….…`), configured or not.
 *
 * Linear in the text: one pass makes a normalized copy (ASCII letters lower-cased, %XX decoded)
 * with a map back to the original, each form is searched in it, and the matches are cut from the
 * original in one more pass. The text is bounded first (`MAX_REDACTED_TEXT`). No Node-RED imports.
 */

/** Secrets shorter than this are not searched for: "a" would redact every word. */
export const MIN_SECRET_LENGTH = 4;
/** A truncated echo counts from this many characters (and two thirds of the secret). */
const MIN_TRUNCATED = 8;
/** Longer texts are cut before they are searched: no error or log text comes near this. */
export const MAX_REDACTED_TEXT = 64 * 1024;

interface Compiled {
  /** Whole forms, lower-cased, longest first. */
  forms: string[];
  /** Per secret (lower-cased): the first and last `anchor` characters start a truncated match. */
  truncations: Array<{ secret: string; anchor: number }>;
}

const cache = new WeakMap<readonly (string | undefined)[], Compiled>();

/** Every echo of every secret replaced by `***` (see the file comment for what an echo is). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text.length > MAX_REDACTED_TEXT ? `${text.slice(0, MAX_REDACTED_TEXT)}…` : text;
  const compiled = compiledFor(secrets);
  if (compiled.forms.length > 0) out = cutEchoes(out, compiled);
  // A bearer token we did not send ourselves is still a token.
  return out.replace(BEARER_TOKEN, '***');
}

const BEARER_TOKEN = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

function compiledFor(secrets: readonly (string | undefined)[]): Compiled {
  let compiled = cache.get(secrets);
  if (!compiled) {
    compiled = compile(secrets);
    cache.set(secrets, compiled);
  }
  return compiled;
}

function compile(secrets: readonly (string | undefined)[]): Compiled {
  const whole = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    whole.add(secret);
    // A JWT is also echoed by its parts.
    const parts = secret.split('.');
    if (parts.length === 3 && parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p)))
      for (const part of parts) if (part.length >= MIN_SECRET_LENGTH) whole.add(part);
  }
  const forms = new Set<string>();
  const truncations: Compiled['truncations'] = [];
  for (const secret of whole) {
    const lower = lowerAscii(secret);
    forms.add(lower);
    const bytes = Buffer.from(secret, 'utf8');
    // Percent-decoding yields bytes: a non-ASCII secret is also searched for as its UTF-8 bytes.
    const asBytes = lowerAscii(bytes.toString('latin1'));
    if (asBytes !== lower) forms.add(asBytes);
    for (const encoded of base64Forms(bytes))
      if (encoded.length >= MIN_SECRET_LENGTH) forms.add(lowerAscii(encoded));
    const anchor = Math.max(MIN_TRUNCATED, Math.ceil((lower.length * 2) / 3));
    if (anchor < lower.length) truncations.push({ secret: lower, anchor });
  }
  return { forms: [...forms].sort((a, b) => b.length - a.length), truncations };
}

/**
 * base64 and base64url of the bytes: whole (with and without padding), and the characters that
 * depend on the secret alone at each of the three offsets it may have inside a longer encoded value.
 */
function base64Forms(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const url of [false, true]) {
    const encode = (b: Buffer): string => b.toString(url ? 'base64url' : 'base64');
    const full = encode(bytes);
    out.push(full, full.replace(/=+$/, ''));
    for (let offset = 1; offset <= 2; offset++) {
      const encoded = encode(Buffer.concat([Buffer.alloc(offset), bytes]));
      const first = Math.ceil((8 * offset) / 6);
      const last = Math.floor((8 * (offset + bytes.length)) / 6);
      out.push(encoded.slice(first, last));
    }
    // At offset 0 inside a longer value, the last character may also carry the next byte's bits.
    out.push(full.slice(0, Math.floor((8 * bytes.length) / 6)));
  }
  return out;
}

/** ASCII letters lower-cased, nothing else changed: the length stays, so positions map back. */
function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/** The text with %XX decoded and ASCII letters lower-cased, and where each character came from. */
function normalize(text: string): { norm: string; from: number[] } {
  const chars: string[] = [];
  const from: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && HEX.test(text.slice(i + 1, i + 3))) {
      chars.push(lowerAscii(String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16))));
      from.push(i);
      i += 2;
      continue;
    }
    const c = text[i];
    chars.push(c >= 'A' && c <= 'Z' ? c.toLowerCase() : c);
    from.push(i);
  }
  return { norm: chars.join(''), from };
}

function cutEchoes(text: string, compiled: Compiled): string {
  const { norm, from } = normalize(text);
  // Marked ranges of the normalized text, [start, end), merged at the end.
  const marks: Array<[number, number]> = [];
  for (const form of compiled.forms) {
    for (let at = norm.indexOf(form); at !== -1; at = norm.indexOf(form, at + form.length))
      marks.push([at, at + form.length]);
  }
  for (const { secret, anchor } of compiled.truncations) {
    const head = secret.slice(0, anchor);
    for (let at = norm.indexOf(head); at !== -1; at = norm.indexOf(head, at + 1)) {
      let end = at + anchor;
      while (end < norm.length && end - at < secret.length && norm[end] === secret[end - at]) end++;
      marks.push([at, end]);
      at = end - 1;
    }
    const tail = secret.slice(secret.length - anchor);
    for (let at = norm.indexOf(tail); at !== -1; at = norm.indexOf(tail, at + anchor)) {
      let start = at;
      const offset = secret.length - anchor;
      while (start > 0 && at - start < offset && norm[start - 1] === secret[offset - (at - start) - 1])
        start--;
      marks.push([start, at + anchor]);
    }
  }
  if (marks.length === 0) return text;
  marks.sort((a, b) => a[0] - b[0]);
  let out = '';
  let copied = 0; // original index copied up to
  let i = 0;
  while (i < marks.length) {
    const start = marks[i][0];
    let end = marks[i][1];
    for (i++; i < marks.length && marks[i][0] <= end; i++) end = Math.max(end, marks[i][1]);
    const originalStart = from[start];
    const originalEnd = end < from.length ? from[end] : text.length;
    if (originalStart < copied) continue;
    out += `${text.slice(copied, originalStart)}***`;
    copied = originalEnd;
  }
  return out + text.slice(copied);
}
