/**
 * Answers the simulator never gives but a real installation can: a proxy's login page, a 502 while
 * the engine starts, basic auth refusing us, a server that is too slow, a server echoing our
 * secret. A plain HTTP server on 127.0.0.1 plays the proxy.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AiveroClient, isRetryableError } from '../../src/backends/aivero';
import { freePort, rejection } from './helpers';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

describe('aivero: odd servers and proxies', function () {
  this.timeout(10_000);
  let server: Server;
  let handler: Handler;
  let endpoint: string;
  const clients: AiveroClient[] = [];
  const SECRET = 'odd-admin-secret-42';

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handler(req, res, body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/graphql`;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function client(extra: Partial<ConstructorParameters<typeof AiveroClient>[0]> = {}): AiveroClient {
    const c = new AiveroClient({ endpoint, adminSecret: SECRET, ...extra });
    clients.push(c);
    return c;
  }
  const json = (res: ServerResponse, value: unknown, status = 200): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };

  it('reports a login page answered with HTTP 200 as not GraphQL JSON', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><body>Login ${SECRET}</body></html>`);
    };
    const err = await rejection(client().request('query { cameras { id } }'));
    assert.equal(err.code, 'API');
    assert.match(err.message, /not GraphQL JSON.*text\/html/);
    assert.doesNotMatch(err.message, new RegExp(SECRET));
  });

  it('reports truncated JSON as not GraphQL JSON', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data": {"cam');
    };
    const err = await rejection(client().request('query { cameras { id } }'));
    assert.match(err.message, /not GraphQL JSON/);
  });

  it('maps a 502 page to a retryable error and a basic-auth 401 to an AuthError', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('Bad Gateway');
    };
    const bad = await rejection(client().request('query { cameras { id } }'));
    assert.equal(bad.code, 'API');
    assert.match(bad.message, /HTTP 502/);
    assert.equal(isRetryableError(bad), true);
    handler = (_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="aivero"' });
      res.end('401 Unauthorized');
    };
    const auth = await rejection(client().request('query { cameras { id } }'));
    assert.equal(auth.code, 'AUTH');
    assert.equal(isRetryableError(auth), false);
  });

  it('maps Hasura codes to typed errors and scrubs an echoed secret', async () => {
    const answer =
      (code: string, message: string): Handler =>
      (_req, res) =>
        json(res, { errors: [{ message, extensions: { code, path: '$' } }] });
    handler = answer('postgres-error', `connection lost for ${SECRET}`);
    const pg = await rejection(client().request('query { cameras { id } }'));
    assert.equal(pg.code, 'API');
    assert.equal(isRetryableError(pg), true);
    assert.doesNotMatch(pg.message, new RegExp(SECRET));
    assert.match(pg.message, /connection lost for \*\*\*/);
    handler = answer('constraint-violation', 'Foreign key violation. x'.repeat(100));
    const fk = await rejection(client().request('query { cameras { id } }'));
    assert.equal(fk.code, 'INPUT');
    assert.ok(fk.message.length < 400, 'capped');
    handler = answer('invalid-jwt', 'Could not verify JWT: JWTExpired');
    const jwt = await rejection(client().request('query { cameras { id } }'));
    assert.equal(jwt.code, 'AUTH');
  });

  it('sends the credentials and extra headers, and JSON numbers for Ints', async () => {
    let seen: IncomingMessage | undefined;
    let body = '';
    handler = (req, res, b) => {
      seen = req;
      body = b;
      json(res, { data: { updateRecordingSession: { id: '6b1f0a4e-0000-4000-8000-000000000001' } } });
    };
    const c = client({ headers: { 'x-proxy-token': 'proxy-value' }, role: 'operator' });
    await c.setState('6B1F0A4E-0000-4000-8000-000000000001', 'Started');
    assert.equal(seen?.headers['x-hasura-admin-secret'], SECRET);
    assert.equal(seen?.headers['x-hasura-role'], 'operator');
    assert.equal(seen?.headers['x-proxy-token'], 'proxy-value');
    const sent = JSON.parse(body) as { operationName: string; variables: Record<string, unknown> };
    assert.equal(sent.operationName, 'UpdateRecordingSessionState');
    assert.deepEqual(sent.variables, { id: '6b1f0a4e-0000-4000-8000-000000000001', state: 'Started' });
  });

  it('uses the documented enums when introspection is refused, and reuses one connection', async () => {
    let connections = 0;
    const onConnection = (): void => void connections++;
    server.on('connection', onConnection);
    handler = (_req, res, body) => {
      const { query } = JSON.parse(body) as { query: string };
      if (query.includes('__type'))
        json(res, {
          errors: [
            { message: 'introspection is disabled', extensions: { code: 'validation-failed', path: '$' } },
          ],
        });
      else json(res, { data: { updateRecordingSession: { id: '6b1f0a4e-0000-4000-8000-000000000001' } } });
    };
    try {
      const c = client();
      const schema = await c.schema();
      assert.equal(schema.introspected, false);
      assert.equal(schema.enumSource.state, 'documentation');
      assert.deepEqual(schema.enums.encoder, ['HEVC', 'Classic']);
      for (let i = 0; i < 5; i++) await c.setState('6b1f0a4e-0000-4000-8000-000000000001', 'Standby');
      // undici may open a second socket while the first is being released; both are reused.
      assert.ok(connections <= 2, `keep-alive: six sequential calls used ${connections} connections`);
    } finally {
      server.off('connection', onConnection);
    }
  });

  it("times out a slow answer, and cancels on the caller's signal", async () => {
    handler = () => undefined; // never answers
    const started = Date.now();
    const slow = await rejection(client().request('query { cameras { id } }', {}, { timeoutMs: 150 }));
    assert.equal(slow.code, 'TIMEOUT');
    assert.ok(Date.now() - started < 2000);
    const controller = new AbortController();
    const call = client().request('query { cameras { id } }', {}, { signal: controller.signal });
    setImmediate(() => controller.abort());
    const cancelled = await rejection(call);
    assert.equal(cancelled.code, 'CLOSED');
  });

  it('fails calls under way with ClosedError when closed', async () => {
    handler = () => undefined;
    const c = client();
    const call = c.request('query { cameras { id } }');
    const closed = new Promise((resolve) => setImmediate(resolve)).then(() => c.close());
    assert.equal((await rejection(call)).code, 'CLOSED');
    assert.equal((await rejection(c.request('query { cameras { id } }'))).code, 'CLOSED');
    await closed;
  });

  it('reports an unreachable server as a retryable ConnectionError', async () => {
    const port = await freePort();
    const c = new AiveroClient({ endpoint: `http://127.0.0.1:${port}/v1/graphql` });
    clients.push(c);
    const err = await rejection(c.request('query { cameras { id } }'));
    assert.equal(err.code, 'CONNECTION');
    assert.match(err.message, /ECONNREFUSED/);
    assert.equal(isRetryableError(err), true);
  });
});
