/** Validation of request body values, answering 400 with a message that names the argument. */
import { badRequest } from './http-error';

export type Body = Record<string, unknown>;

export function optionalString(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${key} must be a string`);
  return v;
}

export function optionalBoolean(body: Body, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badRequest(`${key} must be a boolean`);
  return v;
}

export function optionalObject(body: Body, key: string): Record<string, unknown> | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${key} must be an object`);
  return v as Record<string, unknown>;
}

export function optionalDuration(body: Body): number | undefined {
  const v = body.duration;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw badRequest('duration must be a positive number of seconds');
  return v;
}

/** IO values: any number including ±Infinity (toggle), not NaN. */
export function requiredValue(body: Body): number {
  const v = body.value;
  if (v === undefined) throw badRequest('value is required');
  if (typeof v !== 'number' || Number.isNaN(v)) throw badRequest('value must be a number');
  return v;
}
