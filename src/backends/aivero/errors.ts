/**
 * Hasura's answers and transport failures as the package's typed errors. Hasura reports failures as
 * HTTP 200 with `errors[].extensions.code`; a proxy in front answers with its own status and maybe
 * no JSON. Every text is scrubbed of the credentials (a server may echo a header) and capped.
 */
import { ANSWER_TOO_LARGE } from '../../common/answer-cap';
import { ApiError, AuthError, InputError, RecorderError } from '../../common/errors';
import { redact } from '../../common/redact';
import { fromSocketError } from '../../common/socket-errors';

export const MAX_ERROR_TEXT = 300;

/** Where an error came from on the server: Hasura's code and path, the HTTP status. */
export interface HasuraDetails {
  /** Hasura's `extensions.code`, or `http-<status>` / `not-json` for a proxy's answer. */
  code: string;
  path?: string;
  httpStatus: number;
}

/** A Hasura input error (validation-failed, constraint-violation, data-exception …): not retryable. */
export class AiveroInputError extends InputError {
  readonly hasura: HasuraDetails;
  readonly retryable = false;
  constructor(message: string, hasura: HasuraDetails) {
    super(message);
    this.name = 'AiveroInputError';
    this.hasura = hasura;
  }
}

/**
 * The credentials were refused (a wrong admin secret, an invalid or expired JWT, a role the
 * credential does not allow, a proxy's 401): no call can work until they change, so the connection
 * stops sending (see `isCredentialRefusal`). Not retryable.
 */
export class AiveroAuthError extends AuthError {
  readonly hasura: HasuraDetails;
  readonly retryable = false;
  constructor(message: string, hasura: HasuraDetails) {
    super(message);
    this.name = 'AiveroAuthError';
    this.hasura = hasura;
  }
}

/**
 * The server refused this one operation to a credential it accepts (Hasura's permission-error,
 * permission-denied, an access-denied about the operation, a proxy's 403): an error of the call,
 * like any other answer; the next call is sent as usual. Not retryable as it is.
 */
export class AiveroPermissionError extends ApiError {
  readonly hasura: HasuraDetails;
  readonly retryable = false;
  constructor(message: string, hasura: HasuraDetails) {
    super(hasura.httpStatus, hasura.code, message, 'permission denied');
    this.name = 'AiveroPermissionError';
    this.hasura = hasura;
  }
}

/** Any other answer: `retryable` for server trouble (postgres-error, unexpected, HTTP 5xx). */
export class AiveroApiError extends ApiError {
  readonly hasura: HasuraDetails;
  readonly retryable: boolean;
  constructor(message: string, hasura: HasuraDetails, retryable: boolean) {
    super(hasura.httpStatus, hasura.code, message, statusWords(hasura.code));
    this.name = 'AiveroApiError';
    this.hasura = hasura;
    this.retryable = retryable;
  }
}

/** A few words for the status line under a node. */
function statusWords(code: string): string {
  if (code === 'not-json') return 'not GraphQL';
  if (code === 'http-404') return 'no GraphQL endpoint';
  if (/^http-5\d\d$/.test(code)) return 'server unavailable';
  if (code.startsWith('postgres')) return 'database error';
  if (code === 'unexpected') return 'server error';
  return code.replace(/-/g, ' ');
}

/** Not found (no camera with that model/serial, no session with that id); the status says which. */
export class AiveroNotFoundError extends ApiError {
  readonly retryable = false;
  constructor(message: string, what: 'camera' | 'session') {
    super(404, 'not found', message, `no such ${what}`);
    this.name = 'AiveroNotFoundError';
  }
}

/**
 * Words of a refused credential, in a Hasura message or a WebSocket close reason: the admin secret
 * (or its old name, access key), a JWT, an authentication hook, a role the credential does not
 * allow. A refusal without them is about the operation, not the credential.
 */
export const CREDENTIAL_TEXT =
  /admin[-_ ]?secret|access[-_ ]?key|\bjwt|json web token|authenticat|unauthori[sz]ed|allowed roles|x-hasura-role/i;

/** Codes that always mean the credential itself was refused. */
function isCredentialCode(code: string): boolean {
  return code === 'invalid-jwt' || code.startsWith('jwt-') || code.startsWith('invalid-jwt');
}

/** Codes of a refusal: of the credential when its words say so, else of the one operation. */
const REFUSAL_CODES = new Set(['access-denied', 'permission-error', 'permission-denied', 'invalid-headers']);

const INPUT_CODES = new Set([
  'validation-failed',
  'constraint-violation',
  'constraint-error',
  'data-exception',
  'parse-failed',
  'bad-request',
  'invalid-params',
  'invalid-json',
  'coercion-error',
  'not-exists',
  'not-found',
  'already-exists',
  'unexpected-payload',
]);
const RETRYABLE_CODES = new Set([
  'postgres-error',
  'postgres-max-connections-error',
  'unexpected',
  'busy',
  'start-failed',
  'remote-schema-error',
]);

/**
 * Scrubs the credentials out of a server's text (the package's one redaction, `common/redact.ts`:
 * every echo, encoded, re-cased or cut, and any bearer token), then makes it one capped line.
 */
export class Redactor {
  private readonly secrets: readonly string[];
  constructor(secrets: readonly string[]) {
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))];
  }

  text(value: unknown, max = MAX_ERROR_TEXT): string {
    let text = typeof value === 'string' ? value : value instanceof Error ? value.message : String(value);
    // Bounded before the search: a text many times the cap is never shown anyway.
    if (text.length > max * 8) text = text.slice(0, max * 8);
    text = redact(text, this.secrets);
    text = text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ');
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }
}

export interface GraphQLErrorLike {
  message?: unknown;
  extensions?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `errors` array of a GraphQL answer as typed errors (the first decides the class). */
export function fromGraphQLErrors(
  errors: readonly GraphQLErrorLike[],
  httpStatus: number,
  redactor: Redactor,
  what: string,
): RecorderError {
  const first = errors[0] ?? {};
  const ext = isRecord(first.extensions) ? first.extensions : {};
  const code = typeof ext.code === 'string' ? ext.code.slice(0, 60) : 'unknown';
  const path = typeof ext.path === 'string' ? redactor.text(ext.path, 120) : undefined;
  const rawMessage = typeof first.message === 'string' ? first.message.slice(0, 2000) : 'no message';
  const serverMessage = redactor.text(rawMessage);
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  const details: HasuraDetails = { code, httpStatus, ...(path ? { path } : {}) };
  const message = `${what}: ${serverMessage} (${code})${more}`;
  if (isCredentialCode(code)) return new AiveroAuthError(message, details);
  if (REFUSAL_CODES.has(code))
    return code === 'access-denied' && CREDENTIAL_TEXT.test(rawMessage)
      ? new AiveroAuthError(message, details)
      : new AiveroPermissionError(message, details);
  if (INPUT_CODES.has(code)) return new AiveroInputError(message, details);
  return new AiveroApiError(message, details, RETRYABLE_CODES.has(code) || httpStatus >= 500);
}

/** A non-2xx answer without GraphQL errors: usually the proxy in front of Hasura. */
export function fromHttpStatus(status: number, contentType: string | null, what: string): RecorderError {
  const details: HasuraDetails = { code: `http-${status}`, httpStatus: status };
  const kind =
    contentType && !/json/i.test(contentType) ? ` (${contentType.split(';')[0].slice(0, 40)})` : '';
  if (status === 401)
    return new AiveroAuthError(`${what}: the server refused the credentials (HTTP 401)${kind}`, details);
  if (status === 403)
    return new AiveroPermissionError(`${what}: the server refused this request (HTTP 403)${kind}`, details);
  if (status === 404)
    return new AiveroApiError(`${what}: no GraphQL endpoint at this URL (HTTP 404)${kind}`, details, false);
  if (status === 408 || status === 429 || status >= 500)
    return new AiveroApiError(`${what}: the server is not available (HTTP ${status})${kind}`, details, true);
  return new AiveroApiError(`${what}: the server answered HTTP ${status}${kind}`, details, false);
}

/** A 2xx answer that is not a GraphQL JSON result (a login page, a proxy's error page). */
export function notJson(status: number, contentType: string | null, what: string): RecorderError {
  const type = contentType ? contentType.split(';')[0].slice(0, 40) : 'no content type';
  return new AiveroApiError(
    `${what}: the server answered with something that is not GraphQL JSON (HTTP ${status}, ${type}); is a proxy or login page in front of it?`,
    { code: 'not-json', httpStatus: status },
    false,
  );
}

/** An answer over the package's cap: refused unread, so a hostile server can not fill the memory. */
export function answerTooLarge(what: string, httpStatus = 200): RecorderError {
  return new AiveroApiError(
    `${what}: ${ANSWER_TOO_LARGE}, so it was not read`,
    { code: 'answer-too-large', httpStatus },
    false,
  );
}

/** A socket/TLS failure (fetch's `TypeError: fetch failed`, a ws error) as a typed error. */
export function fromTransportError(err: unknown, server: string): RecorderError {
  return fromSocketError(err, `Aivero at ${server}`);
}

/** Whether a call failing with this error may succeed if repeated later. */
export function isRetryableError(err: unknown): boolean {
  if (err instanceof AiveroApiError) return err.retryable;
  if (err instanceof AiveroPermissionError) return false;
  if (err instanceof AiveroNotFoundError) return false;
  if (err instanceof RecorderError) return err.code === 'CONNECTION' || err.code === 'TIMEOUT';
  return false;
}
