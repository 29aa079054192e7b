/**
 * What a schedule name may be. A name is plain text that people read in replies, status lines and
 * the editor, and that flows match on: letters, marks, digits, punctuation, symbols and spaces of any
 * script (Unicode L, M, N, P, S, Zs), 1–100 characters, no space at either end. Control and format
 * characters (NUL, ESC, bidi overrides, zero-width joiners, line separators …) are refused: they
 * hide or rewrite what a name shows. `*` alone is not a name: it reads as "every schedule". Removing
 * every added schedule is its own form, `{command: "remove", all: true}`. No Node-RED imports.
 */

/**
 * Why `name` is not a schedule name, or null when it is one. The editor runs this very function
 * (the table's RULES), so it is self-contained: its limits live inside it.
 */
export function nameProblem(name: unknown): string | null {
  const max = 100;
  const rule = `1–${max} letters, digits, spaces or punctuation, no control characters, not "*"`;
  if (typeof name !== 'string' || name === '') return `a schedule needs a name (${rule})`;
  if (name === '*')
    return '"*" is not a schedule name; to remove every added schedule send {command: "remove", all: true}';
  if ([...name].length > max) return `a schedule name is at most ${max} characters`;
  if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+$/u.test(name))
    return `a schedule name must not contain control or format characters (${rule})`;
  if (/^\p{Zs}|\p{Zs}$/u.test(name)) return 'a schedule name must not start or end with a space';
  return null;
}
