/**
 * Text that came from outside (a message, a config field, a server) on its way into an error, a log
 * line or a status: capped in length, control characters made visible (no log forging with CR/LF or
 * terminal escapes), and configured secrets cut out even when a server echoes them back.
 * No Node-RED imports.
 */

/** Longest error or log text we write; the rest is cut with a count. */
export const MAX_ERROR_TEXT = 400;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `\n` → `\\n`, ESC → `\\x1b`: the text stays readable and stays on one line. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** Cut to `max` characters (before escaping grows it), saying how much was left out. */
export function capText(text: string, max = MAX_ERROR_TEXT): string {
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return escapeControl(cut);
}

/** Every echo of every secret replaced by `***`: see redact.ts, the one place redaction lives. */
export { redact } from './redact';

/** A short, one-line text for a status under a node. */
export function shortText(text: string, max: number): string {
  const line = escapeControl(text.replace(/\s+/g, ' ').trim());
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
