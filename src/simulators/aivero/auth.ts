/**
 * Who is asking: the admin secret (admin, or the role named by `x-hasura-role`), an HS256 JWT
 * (its default role or an allowed `x-hasura-role`), or nobody (the unauthorized role `public`).
 * Headers come from HTTP or from a WebSocket `connection_init` payload.
 */
import { timingSafeEqual } from 'node:crypto';
import { HasuraError } from './errors';
import { verifyJwt } from './jwt';

export interface AuthConfig {
  adminSecret: string;
  jwtSecret: string | undefined;
  unauthorizedRole: string;
  now: () => number;
}

export interface Session {
  role: string;
  userId?: string;
  /** A JWT's expiry (epoch ms): Hasura closes a WebSocket authorised by it then. */
  expiresAt?: number;
}

export type Headers = Record<string, string | string[] | undefined>;

function header(h: Headers, name: string): string | undefined {
  for (const [k, v] of Object.entries(h)) {
    if (k.toLowerCase() !== name) continue;
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string') return s;
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authenticate(cfg: AuthConfig, h: Headers): Session {
  const secret = header(h, 'x-hasura-admin-secret') ?? header(h, 'x-hasura-access-key');
  const requested = header(h, 'x-hasura-role');
  if (secret !== undefined) {
    if (!sameSecret(secret, cfg.adminSecret))
      throw new HasuraError('access-denied', 'invalid x-hasura-admin-secret/x-hasura-access-key');
    return { role: requested ?? 'admin', userId: header(h, 'x-hasura-user-id') };
  }
  const authorization = header(h, 'authorization');
  if (cfg.jwtSecret !== undefined && authorization !== undefined) {
    const m = authorization.match(/^Bearer\s+(\S+)\s*$/i);
    if (!m) throw new HasuraError('invalid-headers', 'Malformed Authorization header');
    const jwt = verifyJwt(cfg.jwtSecret, m[1], cfg.now());
    const role = requested ?? jwt.defaultRole;
    if (!jwt.allowedRoles.includes(role))
      throw new HasuraError('access-denied', 'Your requested role is not in allowed roles');
    return { role, userId: jwt.userId, expiresAt: jwt.expiresAt };
  }
  return { role: cfg.unauthorizedRole };
}
