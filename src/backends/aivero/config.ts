/**
 * Aivero client configuration: the Hasura endpoint and the URLs derived from it, the credential
 * headers, extra headers for a proxy in front, TLS trust. Everything is checked here, before a
 * socket is opened, and a mistake is a ConfigError naming the field (never its secret value).
 */
import { ConfigError } from '../../common/errors';
import { endpointProblem, headersProblem, pemProblem } from '../../common/formats';

export interface AiveroTls {
  /** PEM certificate(s) of the private CA the installation's certificate is issued by. */
  ca?: string;
  /** Accept any certificate. Explicit and visible: `warning` says so. */
  insecure?: boolean;
}

export interface AiveroClientOptions {
  /** `https://host/v1/graphql` (or `/hasura/v1/graphql`); `wss://` and a bare origin are accepted too. */
  endpoint: string;
  /** Sent as `x-hasura-admin-secret`. */
  adminSecret?: string;
  /** Sent as `Authorization: Bearer <jwt>`. */
  jwt?: string;
  /** Sent as `x-hasura-role`: another role the credential allows. */
  role?: string;
  /** Extra headers, e.g. the basic-auth header of a proxy. */
  headers?: Record<string, string>;
  tls?: AiveroTls;
  /** Default per-call timeout, ms (default 10000). */
  timeoutMs?: number;
  /** Parallel keep-alive connections (default 16). */
  connections?: number;
}

export interface AiveroEndpoint {
  /** The GraphQL URL for HTTP requests. */
  http: string;
  /** The same path over ws/wss, for subscriptions. */
  ws: string;
  /** `/healthz` next to the GraphQL path (`/hasura/healthz` behind the Traefik prefix). */
  healthz: string;
  /** `host:port`, for messages. */
  server: string;
  secure: boolean;
}

export interface ResolvedConfig {
  endpoint: AiveroEndpoint;
  /** Every header a request carries (credentials included): never log this. */
  headers: Record<string, string>;
  /** Values to scrub from any text that leaves the client. */
  secrets: string[];
  tls: AiveroTls;
  timeoutMs: number;
  connections: number;
  warning?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECTIONS = 16;
const MAX_HEADER_VALUE = 8192;

/** The endpoint's URLs; its format is the shared rule (common/formats.ts), which the editor runs too. */
export function parseEndpoint(raw: unknown): AiveroEndpoint {
  const problem = endpointProblem(raw);
  if (problem !== null) throw new ConfigError(`endpoint: ${problem}`, 'endpoint');
  let url: URL;
  try {
    url = new URL((raw as string).trim());
  } catch {
    // The rule accepts only what URL parses; this is the guard should the two ever part.
    throw new ConfigError('endpoint: not a valid URL (expected https://host/v1/graphql)', 'endpoint');
  }
  const scheme = url.protocol.replace(/:$/, '');
  const secure = scheme === 'https' || scheme === 'wss';
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '') path = '/v1/graphql';
  const base = path.endsWith('/v1/graphql') ? path.slice(0, -'/v1/graphql'.length) : '';
  const host = url.host;
  const httpOrigin = `${secure ? 'https' : 'http'}://${host}`;
  const wsOrigin = `${secure ? 'wss' : 'ws'}://${host}`;
  const port = url.port || (secure ? '443' : '80');
  return {
    http: `${httpOrigin}${path}`,
    ws: `${wsOrigin}${path}`,
    healthz: `${httpOrigin}${base}/healthz`,
    server: url.port ? host : `${host}:${port}`,
    secure,
  };
}

function headerValue(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ConfigError(`${field}: must be text`, field);
  if (value.length > MAX_HEADER_VALUE) throw new ConfigError(`${field}: too long for a header`, field);
  // CR/LF would split the header (request smuggling); other controls are refused by fetch anyway.
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value))
    throw new ConfigError(`${field}: contains a line break or control character`, field);
  return value;
}

export function resolveConfig(options: AiveroClientOptions): ResolvedConfig {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options: missing', 'options');
  const endpoint = parseEndpoint(options.endpoint);
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  const adminSecret = options.adminSecret === '' ? undefined : options.adminSecret;
  let jwt = options.jwt === '' ? undefined : options.jwt;
  if (adminSecret !== undefined && jwt !== undefined)
    throw new ConfigError('credentials: give either the admin secret or a JWT, not both', 'credentials');
  if (adminSecret !== undefined) {
    const secret = headerValue(adminSecret, 'adminSecret').trim();
    if (!secret) throw new ConfigError('adminSecret: empty', 'adminSecret');
    headers['x-hasura-admin-secret'] = secret;
    secrets.push(secret);
  }
  if (jwt !== undefined) {
    jwt = headerValue(jwt, 'jwt')
      .trim()
      .replace(/^Bearer\s+/i, '');
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(jwt))
      throw new ConfigError('jwt: not a JSON Web Token (three base64url parts separated by dots)', 'jwt');
    headers.authorization = `Bearer ${jwt}`;
    secrets.push(jwt);
  }
  if (options.role !== undefined && options.role !== '') {
    if (typeof options.role !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(options.role))
      throw new ConfigError('role: a Hasura role is 1-100 letters, digits, "_", "-" or "."', 'role');
    headers['x-hasura-role'] = options.role;
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    // The shared rule (common/formats.ts): first the name alone, then its value, so that a bad
    // value is reported against its header.
    const nameProblem = headersProblem({ [name]: '' });
    if (nameProblem !== null) throw new ConfigError(`headers: ${nameProblem}`, 'headers');
    const lower = name.toLowerCase();
    if (lower === 'authorization' && jwt !== undefined)
      throw new ConfigError(`headers: "${lower}" is set by the client itself`, 'headers');
    const valueProblem = headersProblem({ [name]: value });
    if (valueProblem !== null) throw new ConfigError(`headers.${lower}: ${valueProblem}`, `headers.${lower}`);
    const checked = String(value);
    headers[lower] = checked;
    // Extra header values are credentials (a proxy's, a gateway's): scrub every one like the secret,
    // with the token after its auth scheme, which a server may quote alone.
    secrets.push(checked, ...credentialParts(checked));
  }
  const tls = options.tls ?? {};
  if (tls.ca !== undefined && tls.ca !== '') {
    const caProblem = pemProblem(tls.ca);
    if (caProblem !== null) throw new ConfigError(`tls.ca: ${caProblem}`, 'tls.ca');
    if (tls.insecure) throw new ConfigError('tls: choose either a CA certificate or insecure mode', 'tls');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > 3_600_000)
    throw new ConfigError('timeoutMs: a positive number of milliseconds (at most one hour)', 'timeoutMs');
  const connections = options.connections ?? DEFAULT_CONNECTIONS;
  if (!Number.isInteger(connections) || connections < 1 || connections > 256)
    throw new ConfigError('connections: an integer from 1 to 256', 'connections');
  let warning: string | undefined;
  if (endpoint.secure && tls.insecure)
    warning = 'TLS certificate verification is off: the server is not authenticated';
  else if (!endpoint.secure && secrets.length > 0) warning = 'plain HTTP: credentials are sent unencrypted';
  return {
    endpoint,
    headers,
    secrets,
    tls: { ca: tls.ca || undefined, insecure: Boolean(tls.insecure) },
    timeoutMs,
    connections,
    warning,
  };
}

/** `Bearer abc…` → also scrub `abc…`; `Basic dXNlcjpwdw==` → also the encoded and decoded password. */
function credentialParts(value: string): string[] {
  const match = /^([A-Za-z][A-Za-z0-9._~+-]*)\s+(\S+)$/.exec(value.trim());
  if (!match) return [];
  const token = match[2];
  if (match[1].toLowerCase() !== 'basic' || !/^[A-Za-z0-9+/=]+$/.test(token)) return [token];
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  return [token, ...(password.length >= 4 ? [password] : [])];
}
