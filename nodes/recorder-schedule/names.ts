/**
 * What a schedule name may be. A name is plain text that people read in replies, status lines and
 * the editor, and that flows match on: letters, marks, digits, punctuation, symbols and spaces of any
 * script (Unicode L, M, N, P, S, Zs), 1–100 characters, no space at either end. Control and format
 * characters (NUL, ESC, bidi overrides, zero-width joiners, line separators …) are refused: they
 * hide or rewrite what a name shows. `*` alone is not a name: it reads as "every schedule". Removing
 * every added schedule is its own form, `{command: "remove", all: true}`. No Node-RED imports.
 */

export const MAX_NAME_LENGTH = 100;

const PLAIN = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+$/u;
const EDGE_SPACE = /^\p{Zs}|\p{Zs}$/u;

export const NAME_RULE = `1–${MAX_NAME_LENGTH} letters, digits, spaces or punctuation, no control characters, not "*"`;

/** Why `name` is not a schedule name, or null when it is one. */
export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name === '') return `a schedule needs a name (${NAME_RULE})`;
  if (name === '*')
    return '"*" is not a schedule name; to remove every added schedule send {command: "remove", all: true}';
  if ([...name].length > MAX_NAME_LENGTH) return `a schedule name is at most ${MAX_NAME_LENGTH} characters`;
  if (!PLAIN.test(name))
    return `a schedule name must not contain control or format characters (${NAME_RULE})`;
  if (EDGE_SPACE.test(name)) return 'a schedule name must not start or end with a space';
  return null;
}
