/**
 * Hasura's GraphQL error: `{errors: [{message, extensions: {path, code}}]}` (Error.hs encodeGQLErr),
 * sent with HTTP 200 and no `data` key. Postgres errors are mapped by SQLSTATE class as Hasura does.
 */
export type HasuraCode =
  | 'access-denied'
  | 'invalid-jwt'
  | 'jwt-invalid-claims'
  | 'jwt-missing-role-claims'
  | 'invalid-headers'
  | 'validation-failed'
  | 'parse-failed'
  | 'constraint-violation'
  | 'data-exception'
  | 'permission-error'
  | 'postgres-error'
  | 'not-found'
  | 'not-supported'
  | 'invalid-json'
  | 'bad-request'
  | 'start-failed'
  | 'unexpected';

export class HasuraError extends Error {
  constructor(
    readonly code: HasuraCode,
    message: string,
    readonly path = '$',
  ) {
    super(message);
  }

  toJSON(): { message: string; extensions: { path: string; code: string } } {
    return { message: this.message, extensions: { path: this.path, code: this.code } };
  }
}

export interface GraphQLErrorBody {
  errors: Array<{ message: string; extensions: { path: string; code: string } }>;
}

export function errorBody(err: HasuraError): GraphQLErrorBody {
  return { errors: [err.toJSON()] };
}

interface PgErrorLike {
  code?: unknown;
  message?: unknown;
}

function isPgError(err: unknown): err is PgErrorLike & { code: string; message: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as PgErrorLike).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((err as PgErrorLike).code as string) &&
    typeof (err as PgErrorLike).message === 'string'
  );
}

/** Hasura's prefixes for integrity violations (class 23), by SQLSTATE. */
const CONSTRAINT_PREFIX: Record<string, string> = {
  '23502': 'Not-NULL violation. ',
  '23503': 'Foreign key violation. ',
  '23505': 'Uniqueness violation. ',
  '23514': 'Check constraint violation. ',
  '23P01': 'Exclusion violation. ',
};

/** Turns anything thrown while executing into a Hasura error at `path`. */
export function toHasuraError(err: unknown, path = '$'): HasuraError {
  if (err instanceof HasuraError) return err;
  if (isPgError(err)) {
    const cls = err.code.slice(0, 2);
    if (cls === '23')
      return new HasuraError('constraint-violation', (CONSTRAINT_PREFIX[err.code] ?? '') + err.message, path);
    if (cls === '22') return new HasuraError('data-exception', err.message, path);
    if (err.code === '42501') return new HasuraError('permission-error', err.message, path);
    // The server itself in trouble (connection, resources, shutdown): Hasura's postgres-error.
    if (['08', '53', '57', '58'].includes(cls))
      return new HasuraError('postgres-error', 'database connection error', path);
    // Anything else (a trigger's RAISE, …) is hidden behind Hasura's generic answer (hasura#6489).
    return new HasuraError('unexpected', 'database query error', path);
  }
  return new HasuraError('unexpected', 'unexpected error', path);
}
