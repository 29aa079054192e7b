/**
 * The HTTP side of the Hasura endpoint: `POST /v1/graphql` (and `/hasura/v1/graphql`, the Traefik
 * prefix), `GET /healthz`. GraphQL errors are HTTP 200 (Hasura since PR #2064); malformed bodies and
 * unknown paths get Hasura's flat `{path, error, code}` with a 4xx status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, type AuthConfig } from './auth';
import { HasuraError, errorBody } from './errors';
import { readRequest, type Executor } from './execute';
import { front, type FrontConfig } from './front';

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_BATCH = 50;
export const GRAPHQL_PATHS = new Set(['/v1/graphql', '/hasura/v1/graphql']);
/** The engine version of the Aivero chart (nhost-helm values.yaml). */
export const HASURA_VERSION = 'v2.28.0-ce';
const HEALTH_PATHS = new Set(['/healthz', '/hasura/healthz']);

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function flat(res: ServerResponse, status: number, code: string, error: string): void {
  sendJson(res, status, { path: '$', error, code });
}

export function handleHttp(
  req: IncomingMessage,
  res: ServerResponse,
  executor: Executor,
  auth: AuthConfig,
  isUp: () => boolean,
  frontConfig: FrontConfig = {},
): void {
  const proxy = front(frontConfig, req);
  if (proxy) {
    res.writeHead(proxy.status, proxy.headers);
    res.end(proxy.body);
    return;
  }
  const path = pathOf(req);
  if (HEALTH_PATHS.has(path)) {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return flat(res, 405, 'method-not-allowed', 'GET only');
    res.writeHead(isUp() ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(isUp() ? 'OK' : 'ERROR');
    return;
  }
  if (path === '/v1/version' || path === '/hasura/v1/version')
    return sendJson(res, 200, { version: HASURA_VERSION });
  if (!GRAPHQL_PATHS.has(path)) return flat(res, 404, 'not-found', 'resource does not exist');
  if (req.method !== 'POST') return flat(res, 405, 'method-not-allowed', 'only POST requests are allowed');
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('error', () => res.destroy());
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return flat(res, 413, 'bad-request', 'request body is too large');
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return flat(res, 400, 'invalid-json', 'Error in $: Failed reading: not a valid json value');
    }
    let session;
    try {
      session = authenticate(auth, req.headers);
    } catch (err) {
      if (err instanceof HasuraError) return sendJson(res, 200, errorBody(err));
      throw err;
    }
    // Hasura also takes a JSON array of requests (batching) and answers with an array.
    const batch = Array.isArray(body);
    if (batch && (body as unknown[]).length > MAX_BATCH)
      return sendJson(
        res,
        200,
        errorBody(new HasuraError('validation-failed', `at most ${MAX_BATCH} operations in a batch`)),
      );
    const one = async (item: unknown): Promise<unknown> => {
      try {
        return await executor.run(session.role, readRequest(item));
      } catch (err) {
        return errorBody(
          err instanceof HasuraError ? err : new HasuraError('unexpected', 'unexpected error'),
        );
      }
    };
    const run = async (): Promise<unknown> => {
      if (!batch) return one(body);
      const answers: unknown[] = [];
      for (const item of body as unknown[]) answers.push(await one(item));
      return answers;
    };
    run()
      .then((answer) => sendJson(res, 200, answer))
      // An answer that cannot be written as JSON is Hasura's unexpected error, not a hung request.
      .catch(() => sendJson(res, 200, errorBody(new HasuraError('unexpected', 'unexpected error'))));
  });
}
