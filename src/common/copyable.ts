/**
 * Which parts of a message Node-RED could not copy. The runtime deep-copies a message (recursively)
 * for every Catch and Complete node, so a value nested thousands of levels deep overflows the stack
 * there, and a getter or proxy that throws throws there too: the message would reach neither. The
 * node layer hands the runtime the message with those parts stood in for by a note (see
 * `node-red.ts` settle). No Node-RED imports.
 *
 * The walk is iterative (no recursion of its own), reads every property inside try/catch, and is
 * bounded by a depth and a count of values looked at, so it can not fail the way the copy does nor
 * block for long.
 */
import { types } from 'node:util';

/** Deeper than this is not handed to the runtime's recursive copy (which fails somewhere past 2000). */
export const MAX_COPY_DEPTH = 1000;

export interface LeftOut {
  key: string | symbol;
  reason: string;
}

export interface CopyCheck {
  /** Own properties the copy would fail on, each with the reason. */
  parts: LeftOut[];
  /** False when the budget ran out: the properties not listed are not vouched for. */
  complete: boolean;
}

/**
 * The message's own properties a deep copy would fail on, looking at no more than `budget` values
 * per property (so one large part does not hide a deep one beside it) and `totalBudget` in all.
 * `strict` (after a copy has failed): a property too large to finish looking at counts as failing.
 */
export function checkCopy(msg: object, budget: number, totalBudget = budget * 10, strict = false): CopyCheck {
  const parts: LeftOut[] = [];
  let complete = true;
  let total = totalBudget;
  for (const key of Reflect.ownKeys(msg)) {
    const descriptor = Object.getOwnPropertyDescriptor(msg, key);
    if (!descriptor || !descriptor.enumerable) continue;
    let value: unknown = descriptor.value;
    if (descriptor.get) {
      try {
        value = descriptor.get.call(msg);
      } catch (err) {
        parts.push({ key, reason: `reading it throws (${describeThrown(err)})` });
        continue;
      }
    }
    const left = { count: Math.min(budget, total) };
    const verdict = walk(value, left);
    total -= Math.min(budget, total) - Math.max(0, left.count);
    if (verdict === OUT_OF_BUDGET) {
      complete = false;
      if (strict) parts.push({ key, reason: `more than ${budget} values to copy` });
    } else if (verdict) parts.push({ key, reason: verdict });
    if (total <= 0 && !strict) {
      complete = false;
      break;
    }
  }
  return { parts, complete };
}

const OUT_OF_BUDGET = Symbol('out of budget');

/** Why a value can not be copied, undefined when it can, OUT_OF_BUDGET when the count ran out. */
function walk(value: unknown, left: { count: number }): string | undefined | typeof OUT_OF_BUDGET {
  if (typeof value !== 'object' || value === null) return undefined;
  const seen = new Set<object>();
  const stack: Array<{ value: object; depth: number }> = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    if (--left.count < 0) return OUT_OF_BUDGET;
    if (depth > MAX_COPY_DEPTH) return `nested deeper than ${MAX_COPY_DEPTH} levels`;
    // Binary data is copied as a block, not walked.
    if (ArrayBuffer.isView(current) || types.isAnyArrayBuffer(current)) continue;
    try {
      for (const child of childrenOf(current, left.count))
        if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    } catch (err) {
      return `reading it throws (${describeThrown(err)})`;
    }
  }
  return undefined;
}

/**
 * The values a deep copy reads from an object (Node-RED's copy, lodash's, reads these, getters
 * included), at most about `limit` of them: more would not be walked anyway.
 */
function childrenOf(value: object, limit: number): unknown[] {
  if (Array.isArray(value)) return value.length > limit ? value.slice(0, limit + 1) : value;
  if (value instanceof Map) {
    const out: unknown[] = [];
    for (const [k, v] of value as Map<unknown, unknown>) {
      out.push(k, v);
      if (out.length > limit) break;
    }
    return out;
  }
  if (value instanceof Set) {
    const out: unknown[] = [];
    for (const v of value as Set<unknown>) if (out.push(v) > limit) break;
    return out;
  }
  const record = value as Record<string | symbol, unknown>;
  const out: unknown[] = [];
  for (const key of Object.keys(value)) if (out.push(record[key]) > limit) return out;
  for (const symbol of Object.getOwnPropertySymbols(value))
    if (Object.prototype.propertyIsEnumerable.call(value, symbol)) out.push(record[symbol]);
  return out;
}

function describeThrown(err: unknown): string {
  let text: string;
  try {
    text = err instanceof Error ? err.message : String(err);
  } catch {
    text = 'an unprintable value';
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** Every enumerable own property whose value is not a string, number, boolean, undefined or null. */
export function structuredParts(msg: object): LeftOut[] {
  const out: LeftOut[] = [];
  for (const key of Reflect.ownKeys(msg)) {
    const descriptor = Object.getOwnPropertyDescriptor(msg, key);
    if (!descriptor || !descriptor.enumerable) continue;
    const value: unknown = descriptor.value;
    const plain =
      !descriptor.get &&
      (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value));
    if (!plain) out.push({ key, reason: 'it could not be copied' });
  }
  return out;
}

/**
 * Runs `fn` (the runtime's copy) with each listed property of `msg` replaced by a note saying why it
 * is left out, and puts the properties back afterwards, exactly as they were (getters included).
 * Returns false when a property could not be replaced (a frozen message): then nothing changed.
 */
export function withPartsLeftOut(msg: object, parts: readonly LeftOut[], fn: () => void): boolean {
  const saved: Array<{ key: string | symbol; descriptor: PropertyDescriptor }> = [];
  try {
    for (const { key, reason } of parts) {
      const descriptor = Object.getOwnPropertyDescriptor(msg, key);
      if (!descriptor) continue;
      Object.defineProperty(msg, key, {
        value: `[left out: ${reason}]`,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      saved.push({ key, descriptor });
    }
  } catch {
    restore(msg, saved);
    return false;
  }
  try {
    fn();
  } finally {
    restore(msg, saved);
  }
  return true;
}

function restore(
  msg: object,
  saved: ReadonlyArray<{ key: string | symbol; descriptor: PropertyDescriptor }>,
): void {
  for (const { key, descriptor } of saved) Object.defineProperty(msg, key, descriptor);
}
