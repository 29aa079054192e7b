/** Failure paths of the motif client: typed errors, TLS trust modes, timeouts, cancellation. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { MotifClient } from '../../src/backends/motif/client';
import { generateCertificate, type MotifSimulator } from '../../src/simulators/motif';
import { clientFor, rejection, startSimulator } from './helpers';

describe('motif client errors', () => {
  let sim: MotifSimulator;
  const clients: MotifClient[] = [];
  const client = (options: Parameters<typeof clientFor>[1] = {}): MotifClient => {
    const c = clientFor(sim, options);
    clients.push(c);
    return c;
  };
  /** Every message a test saw; none may contain the simulator's API key. */
  const messages: string[] = [];
  const expectError = async (fn: () => Promise<unknown>, name: string, message?: RegExp): Promise<Error> => {
    const err = await rejection(fn);
    messages.push(err.message);
    assert.equal(err.name, name, err.message);
    if (message) assert.match(err.message, message);
    return err;
  };

  before(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.setResponseDelay(0));
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
    for (const m of messages) assert.ok(!m.includes(sim.apiKey), `API key leaked into: ${m}`);
    assert.ok(messages.length >= 10);
  });

  it('wrong API key → AuthError (401) that does not contain either key', async () => {
    const wrongKey = 'deadbeefdeadbeefdeadbeefdeadbeef';
    const err = await expectError(
      () => client({ apiKey: wrongKey }).version(),
      'AuthError',
      /rejected the API key \(401\)/,
    );
    assert.ok(!err.message.includes(wrongKey));
    assert.equal(sim.requests.at(-1)?.headers['x-api-key'], wrongKey);
  });

  it('unknown camera → ApiError 404 with the server message', async () => {
    const err = await expectError(
      () => client().cameraStatus('NOPE'),
      'ApiError',
      /404: camera NOPE not found/,
    );
    assert.equal((err as unknown as { status: number }).status, 404);
  });

  it('conflicting state → ApiError 409 (start while recording), 400 on a bad argument', async () => {
    const c = client();
    await c.call('camera/<serial>/recording/start', { serial: 'FAKE1' });
    await expectError(
      () => c.call('camera/<serial>/recording/start', { serial: 'FAKE1' }),
      'ApiError',
      /409/,
    );
    await c.call('camera/<serial>/recording/stop', { serial: 'FAKE1' });
    await expectError(
      () => c.call('io/<name>/set', { name: 'led' }, { value: 'high' }),
      'ApiError',
      /400: value must be a number/,
    );
  });

  it('schedules: camera_relative rejected on recording schedules, required args and duplicates checked', async () => {
    const c = client();
    const body = { task_name: 'r', cron_expression: '0 0 9 * * ?', camera_relative: true };
    await expectError(() => c.call('schedule/recording/start', {}, body), 'ApiError', /400: camera_relative/);
    await expectError(
      () =>
        c.call('schedule/io/<name>/set', { name: 'led' }, { task_name: 't', cron_expression: '* * * * * *' }),
      'ApiError',
      /value is required/,
    );
    await expectError(
      () => c.call('schedule/io/<name>/set', { name: 'led' }, { cron_expression: '* * * * * *', value: 1 }),
      'ApiError',
      /task_name is required/,
    );
    await expectError(
      () =>
        c.call(
          'schedule/io/<name>/set',
          { name: 'led' },
          { task_name: 't', cron_expression: '* *', value: 1 },
        ),
      'ApiError',
      /fields/,
    );
    await c.call(
      'schedule/io/<name>/set',
      { name: 'led' },
      { task_name: 't', cron_expression: '* * * * * *', value: 1 },
    );
    await expectError(
      () =>
        c.call(
          'schedule/io/<name>/set',
          { name: 'led' },
          { task_name: 't', cron_expression: '* * * * * *', value: 0 },
        ),
      'ApiError',
      /409/,
    );
    await expectError(
      () => c.call('schedule/<task_name>/clear', { task_name: 'missing' }),
      'ApiError',
      /404/,
    );
    await c.call('schedule/clear');
    assert.equal(sim.state.tasks.list().length, 0);
  });

  it('method mismatch → 405 with an Allow header', async () => {
    const res = await fetchRaw(sim, 'GET', '/api/1/recording/start');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
    assert.equal(res.json.status_code, 405);
    const other = await fetchRaw(sim, 'GET', '/api/1/no/such/route');
    assert.equal(other.status, 404);
    const unauthorised = await fetchRaw(sim, 'GET', '/version', 'wrong');
    assert.deepEqual([unauthorised.status, unauthorised.json.status_code], [401, 401]);
  });

  it('bad path segments are rejected before any request reaches the server', async () => {
    const c = client();
    const before = sim.requests.length;
    await expectError(() => c.call('camera/<serial>', { serial: 'FAKE0/../x' }), 'InputError', /"serial"/);
    await expectError(
      () => c.call('camera/<serial>/io/<name>/set', { serial: 'FAKE0', name: 'my led' }, { value: 1 }),
      'InputError',
      /"name"/,
    );
    await expectError(() => c.call('schedule/<task_name>/clear', {}), 'InputError', /"task_name"/);
    await expectError(() => c.call('/cameras'), 'InputError', /unknown motif operation/);
    await expectError(() => c.waitUntil('stopped', '', { timeoutMs: 100 }), 'InputError', /"serial"/);
    assert.equal(sim.requests.length, before);
  });

  it('connection refused → ConnectionError naming host:port and the code', async () => {
    const port = await freePort();
    const c = new MotifClient({ host: '127.0.0.1', port, apiKey: sim.apiKey, tls: { mode: 'insecure' } });
    clients.push(c);
    await expectError(
      () => c.version(),
      'ConnectionError',
      new RegExp(`motif at 127\\.0\\.0\\.1:${port} is not reachable \\(ECONNREFUSED\\)`),
    );
  });

  it('fingerprint pin: the default (loopbio) pin rejects the simulator, the right pin works, case/colons ignored', async () => {
    const before = sim.requests.length;
    await expectError(
      () => client({ tls: { mode: 'fingerprint' } }).version(),
      'TlsError',
      /does not match the pinned fingerprint/,
    );
    const wrong = 'AA'.repeat(32);
    await expectError(
      () => client({ tls: { mode: 'fingerprint', fingerprint: wrong } }).version(),
      'TlsError',
      /fingerprint/,
    );
    assert.equal(sim.requests.length, before, 'no request may be sent to a server failing the pin');
    const loose = sim.fingerprint256.replace(/:/g, '').toLowerCase();
    assert.equal(
      typeof (await client({ tls: { mode: 'fingerprint', fingerprint: loose } }).version()).software,
      'string',
    );
  });

  it('CA mode: the right CA works without a hostname, a wrong CA and an expired certificate fail', async () => {
    assert.ok((await client({ tls: { mode: 'ca', ca: sim.certificatePem } }).version()).software);
    const other = await generateCertificate();
    await expectError(
      () => client({ tls: { mode: 'ca', ca: other.cert } }).version(),
      'TlsError',
      /not trusted/,
    );
    const expired = await generateCertificate({ validDays: -1 });
    const old = await startSimulator({ certificate: expired });
    try {
      const c = clientFor(old, { tls: { mode: 'ca', ca: expired.cert } });
      clients.push(c);
      await expectError(() => c.version(), 'TlsError', /expired/);
    } finally {
      await old.close();
    }
  });

  it('insecure mode accepts any certificate', async () => {
    assert.ok((await client({ tls: { mode: 'insecure' } }).version()).software);
  });

  it('no answer within the timeout → TimeoutError; the client stays usable', async () => {
    const c = client({ timeoutMs: 150 });
    sim.setResponseDelay(1000);
    const started = Date.now();
    await expectError(() => c.version(), 'TimeoutError', /did not answer \/version within 150 ms/);
    assert.ok(Date.now() - started < 900);
    await expectError(() => c.version({ timeoutMs: 50 }), 'TimeoutError', /50 ms/);
    sim.setResponseDelay(0);
    assert.ok((await c.version()).software);
  });

  it('an aborted signal rejects promptly, before or during a call', async () => {
    const c = client();
    sim.setResponseDelay(1000);
    const controller = new AbortController();
    const started = Date.now();
    const pending = c.version({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expectError(() => pending, 'ClosedError', /cancelled/);
    assert.ok(Date.now() - started < 500);
    await expectError(() => c.version({ signal: AbortSignal.abort() }), 'ClosedError', /cancelled/);
    const waiting = c.waitUntil('stopped', 'FAKE0', { timeoutMs: 5000, signal: AbortSignal.timeout(50) });
    await expectError(() => waiting, 'ClosedError');
  });

  it('close() rejects pending calls with ClosedError and later calls too', async () => {
    const c = clientFor(sim);
    sim.setResponseDelay(1000);
    const pending = expectError(() => c.version(), 'ClosedError', /closed/);
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    await pending;
    await expectError(() => c.version(), 'ClosedError', /closed/);
  });

  it('waitUntil times out with TimeoutError while the camera keeps recording', async () => {
    const c = client();
    await c.call('camera/<serial>/recording/start', { serial: 'FAKE0' });
    await expectError(
      () => c.waitUntil('stopped', 'FAKE0', { timeoutMs: 120, intervalMs: 20 }),
      'TimeoutError',
      /FAKE0 was not stopped/,
    );
    await c.call('recording/stop');
  });

  it('waitUntil says the wait timed out when a slow status read hits its deadline', async () => {
    const c = client({ timeoutMs: 5000 });
    sim.setResponseDelay(400);
    try {
      await expectError(
        () => c.waitUntil('stopped', 'FAKE0', { timeoutMs: 100, intervalMs: 20 }),
        'TimeoutError',
        /FAKE0 was not stopped within 100 ms/,
      );
    } finally {
      sim.setResponseDelay(0);
    }
  });

  it('refuses an API key that cannot be sent as a header, without echoing it', () => {
    const key = 'secret\nvalue';
    assert.throws(
      () => new MotifClient({ host: '127.0.0.1', apiKey: key }),
      (err: Error) => {
        messages.push(err.message);
        return err.name === 'ConfigError' && !err.message.includes('secret');
      },
    );
  });
});

describe('motif IO toggle semantics and non-finite numbers', () => {
  let sim: MotifSimulator;
  let c: MotifClient;
  before(async () => {
    sim = await startSimulator();
    c = clientFor(sim);
  });
  after(async () => {
    await c.close();
    await sim.close();
  });

  it('sends bare Infinity tokens and the output switches to max first, then toggles', async () => {
    const set = (value: number) => c.call('io/<name>/set', { name: 'stim' }, { value });
    assert.equal(((await set(Infinity)) as { value: number }).value, 1);
    assert.equal(sim.requests.at(-1)?.body, '{"value":Infinity}');
    assert.equal(sim.state.outputs.stim.value, 1);
    await set(Infinity);
    assert.equal(sim.state.outputs.stim.value, 0);
    await set(Infinity);
    assert.equal(sim.state.outputs.stim.value, 1);
    await set(0.5);
    assert.equal(sim.state.outputs.stim.value, 0.5);
    await set(-Infinity);
    assert.equal(sim.requests.at(-1)?.body, '{"value":-Infinity}');
    assert.equal(sim.state.outputs.stim.value, 0, '-inf switches to minimum first');
    await set(-Infinity);
    assert.equal(sim.state.outputs.stim.value, 1);
  });

  it('reads non-finite numbers back from responses (io/log echo through the schedule list)', async () => {
    await c.call(
      'schedule/io/<name>/set',
      { name: 'led' },
      { task_name: 'tog', cron_expression: '%2 * * ? * * *', value: -Infinity },
    );
    const answer = (await c.call('schedule')) as { tasks: Array<{ args: { value: number } }> };
    assert.equal(answer.tasks[0].args.value, -Infinity);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function fetchRaw(
  sim: MotifSimulator,
  method: string,
  path: string,
  key = sim.apiKey,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: sim.host,
        port: sim.port,
        method,
        path,
        headers: { 'X-Api-Key': key },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}
