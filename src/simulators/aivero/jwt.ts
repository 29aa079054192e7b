/**
 * HS256 JSON Web Tokens with node:crypto, the way Hasura checks them (HASURA_GRAPHQL_JWT_SECRET
 * `{"type":"HS256","key":…}`): signature, `exp`/`nbf`, then the claims under
 * `https://hasura.io/jwt/claims`. Messages are Hasura's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HasuraError } from './errors';

export const CLAIMS_NAMESPACE = 'https://hasura.io/jwt/claims';

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function hmac(key: string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export interface SignClaims {
  role?: string;
  allowedRoles?: string[];
  expiresInS?: number;
  userId?: string;
}

/** A token like nhost hasura-auth issues (default role `user`, 15 minutes). */
export function signJwt(key: string, claims: SignClaims, nowMs = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const role = claims.role ?? 'user';
  const hasura: Record<string, unknown> = {
    'x-hasura-default-role': role,
    'x-hasura-allowed-roles': claims.allowedRoles ?? [role],
    'x-hasura-user-is-anonymous': 'false',
  };
  if (claims.userId) hasura['x-hasura-user-id'] = claims.userId;
  const payload = {
    sub: claims.userId ?? '00000000-0000-0000-0000-000000000000',
    iat,
    exp: iat + (claims.expiresInS ?? 900),
    iss: 'hasura-auth',
    [CLAIMS_NAMESPACE]: hasura,
  };
  const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  return `${head}.${b64url(hmac(key, head))}`;
}

export interface JwtSession {
  defaultRole: string;
  allowedRoles: string[];
  userId?: string;
  /** `exp` in epoch ms, when the token has one. */
  expiresAt?: number;
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const invalid = (what: string): HasuraError =>
  new HasuraError('invalid-jwt', `Could not verify JWT: ${what}`);

export function verifyJwt(key: string, token: string, nowMs = Date.now()): JwtSession {
  if (token.length > 16_384) throw invalid('JWSError (CompactDecodeError token too long)');
  const parts = token.split('.');
  if (parts.length !== 3)
    throw invalid(
      `JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got ${parts.length})`,
    );
  const header = parseJson(parts[0]);
  if (!header) throw invalid('JWSError (CompactDecodeError invalid header)');
  if (header.alg !== 'HS256') throw invalid('JWSError (AlgorithmMismatch "algorithm is not HS256")');
  const expected = hmac(key, `${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw invalid('JWSError JWSInvalidSignature');
  const payload = parseJson(parts[1]);
  if (!payload) throw invalid('JWSError (JSONDecodeError payload)');
  const now = nowMs / 1000;
  if (typeof payload.exp === 'number' && now >= payload.exp) throw invalid('JWTExpired');
  if (typeof payload.nbf === 'number' && now < payload.nbf) throw invalid('JWTNotYetValid');
  const claims = payload[CLAIMS_NAMESPACE];
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new HasuraError('jwt-invalid-claims', `claims key: '${CLAIMS_NAMESPACE}' not found`);
  const c = claims as Record<string, unknown>;
  const allowed = c['x-hasura-allowed-roles'];
  if (!Array.isArray(allowed) || !allowed.every((r): r is string => typeof r === 'string'))
    throw new HasuraError('jwt-missing-role-claims', 'JWT claim does not contain x-hasura-allowed-roles');
  const def = c['x-hasura-default-role'];
  if (typeof def !== 'string')
    throw new HasuraError('jwt-missing-role-claims', 'JWT claim does not contain x-hasura-default-role');
  const userId = c['x-hasura-user-id'];
  return {
    defaultRole: def,
    allowedRoles: allowed,
    userId: typeof userId === 'string' ? userId : undefined,
    expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
  };
}
