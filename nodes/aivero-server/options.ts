/**
 * An aivero-server's fields and credentials as client options, checked before any socket is opened:
 * a mistake is a ConfigError naming the field (never the secret's value).
 */
import { resolveConfig, type AiveroClientOptions } from '../../src/backends/aivero';
import { ConfigError } from '../../src/common/errors';
import { headersProblem } from '../../src/common/formats';
import type { FieldValues } from '../../src/kit/fields';
import { isPlainObject, type JsonObject } from '../../src/common/input';
import type { FIELDS } from './fields';

export interface ServerCredentials {
  adminSecret?: string;
  jwt?: string;
  /** Extra headers, a JSON object of name → value. */
  extraHeaders?: string;
}

/** Longest extra-headers text: a few proxy credentials, not a document. */
const MAX_HEADERS_TEXT = 65_536;

export interface CheckedServer {
  options: AiveroClientOptions;
  warning?: string;
  secrets: string[];
  /** host:port, for messages. */
  address: string;
}

const FIELD_OF: Record<string, string> = {
  adminSecret: 'admin secret',
  jwt: 'JWT',
  tls: 'TLS trust',
  'tls.ca': 'CA certificate',
  credentials: 'credentials',
  timeoutMs: 'timeout',
};

/**
 * The extra headers: the credential when it is set, else the plain field older flows kept them in.
 * A credential that is not a JSON object is refused without quoting it (the parser's message would).
 */
function extraHeaders(values: FieldValues<typeof FIELDS>, creds: ServerCredentials): JsonObject | undefined {
  const text = typeof creds.extraHeaders === 'string' ? creds.extraHeaders.trim() : '';
  if (!text) return values.headers;
  const parsed = text.length <= MAX_HEADERS_TEXT ? parseJson(text) : undefined;
  if (!isPlainObject(parsed))
    throw new ConfigError(
      'aivero-server: extra headers must be a JSON object, e.g. {"Authorization": "Basic …"}',
      'headers',
      'invalid extra headers',
    );
  return parsed;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Every credential text, to scrub a configuration error raised before the checks were done. */
export function credentialSecrets(creds: ServerCredentials): string[] {
  const list = [creds.adminSecret, creds.jwt, creds.extraHeaders];
  const text = creds.extraHeaders;
  const parsed = typeof text === 'string' && text.length <= MAX_HEADERS_TEXT ? parseJson(text) : undefined;
  if (isPlainObject(parsed))
    for (const value of Object.values(parsed)) if (typeof value === 'string') list.push(value);
  return list.filter((s): s is string => typeof s === 'string' && s.length >= 4);
}

export function checkServer(values: FieldValues<typeof FIELDS>, creds: ServerCredentials): CheckedServer {
  const adminSecret = (creds.adminSecret ?? '').trim();
  const jwt = (creds.jwt ?? '').trim();
  const headers: Record<string, string> = {};
  const extra = extraHeaders(values, creds) ?? {};
  for (const [name, value] of Object.entries(extra)) {
    // Only text and numbers become header values; the rest of the shared rule (common/formats.ts,
    // which the editor runs as it is) the client applies to each header, naming it.
    const problem =
      typeof value === 'string' || typeof value === 'number' ? null : headersProblem({ [name]: value });
    if (problem !== null) throw new ConfigError(`aivero-server: ${problem}`, 'headers');
    headers[name] = String(value);
  }
  if (values.auth === 'admin' && !adminSecret)
    // The status names what to fill in (an imported example has no credentials).
    throw new ConfigError(
      'aivero-server: admin secret is missing (or choose JWT / none)',
      'adminSecret',
      'admin secret missing',
    );
  if (values.auth === 'jwt' && !jwt)
    throw new ConfigError(
      'aivero-server: JWT is missing (or choose admin secret / none)',
      'jwt',
      'JWT missing',
    );
  if (values.tlsMode === 'ca' && !values.ca)
    throw new ConfigError(
      'aivero-server: CA certificate is missing (TLS trust "CA certificate")',
      'ca',
      'CA certificate missing',
    );
  const options: AiveroClientOptions = {
    endpoint: values.endpoint,
    adminSecret: values.auth === 'admin' ? adminSecret : undefined,
    jwt: values.auth === 'jwt' ? jwt : undefined,
    role: values.role || undefined,
    headers,
    tls:
      values.tlsMode === 'ca' ? { ca: values.ca } : values.tlsMode === 'insecure' ? { insecure: true } : {},
    timeoutMs: (values.timeout ?? 10) * 1000,
  };
  try {
    const resolved = resolveConfig(options);
    return {
      options,
      warning: resolved.warning,
      secrets: resolved.secrets,
      address: resolved.endpoint.server,
    };
  } catch (err) {
    if (err instanceof ConfigError) {
      // The backend names its option (`where` "tls.ca", message "tls.ca: …"); the user knows the
      // editor's label.
      const key = err.where ?? '';
      const where = key.split('.')[0] || undefined;
      const label = FIELD_OF[key] ?? FIELD_OF[where ?? ''] ?? key;
      const text =
        key && err.message.startsWith(`${key}:`) ? `${label}${err.message.slice(key.length)}` : err.message;
      throw new ConfigError(`aivero-server: ${text}`, where, err.statusText);
    }
    throw err;
  }
}
