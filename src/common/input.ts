/**
 * Resolving what a call uses: the node's configuration is the default, documented `msg`
 * properties override it. Validation here raises InputError, so a bad message never reaches a
 * server. No Node-RED imports.
 */
import { types } from 'node:util';
import { InputError } from './errors';

export type JsonObject = { [key: string]: unknown };

/**
 * A plain object from a message. A proxy never is: its traps run code of the flow's (they may throw
 * on any read), and the checks below would run them.
 */
export function isPlainObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !types.isProxy(value) &&
    !Array.isArray(value) &&
    !Buffer.isBuffer(value)
  );
}

/** `msg[prop]` when it is set (not undefined, not ""), else the configured value. */
export function override<T>(msgValue: unknown, configValue: T): unknown {
  if (msgValue === undefined || msgValue === null || msgValue === '') return configValue;
  return msgValue;
}

export function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new InputError(`${what} must be a string, got ${describe(value)}`);
  return value;
}

/** Numbers may arrive as numeric strings from dashboards and MQTT; anything else is an error. */
export function optionalNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && !Number.isNaN(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  throw new InputError(`${what} must be a number, got ${describe(value)}`);
}

export function optionalBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`${what} must be true or false, got ${describe(value)}`);
}

export function optionalObject(value: unknown, what: string): JsonObject | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (isPlainObject(value)) return value;
  throw new InputError(`${what} must be an object, got ${describe(value)}`);
}

/** A short, secret-free description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  // First: a proxy's traps would run (and may throw) in the checks below.
  if (types.isProxy(value)) return 'a proxy object';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : `"${value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
