/**
 * The simulator answers requests framed exactly like the Python client v0.2.0 (vendor documentation):
 * raw TLS, `Connection: close`, Content-Type on every request, `Content-Length: 0` on body-less
 * POSTs and Python's JSON with bare `Infinity`.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import type { MotifSimulator } from '../../src/simulators/motif';
import { startSimulator } from './helpers';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function pythonRequest(
  sim: MotifSimulator,
  method: string,
  path: string,
  body?: string,
): Promise<RawResponse> {
  const lines = [`${method} ${path} HTTP/1.1`, 'Accept-Encoding: identity'];
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  else if (method === 'POST' || method === 'PATCH') lines.push('Content-Length: 0');
  lines.push(
    `Host: ${sim.host}:${sim.port}`,
    'User-Agent: Python-urllib/3.11',
    `X-Api-Key: ${sim.apiKey}`,
    'Content-Type: application/json',
    'Connection: close',
  );
  const wire = `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
  return new Promise((resolve, reject) => {
    // Like Python: the certificate is the only trust anchor, no hostname check, no SNI for an IP.
    const socket = connect({
      host: sim.host,
      port: sim.port,
      ca: sim.certificatePem,
      checkServerIdentity: () => undefined,
    });
    const chunks: Buffer[] = [];
    socket.on('secureConnect', () => socket.write(wire));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((l) => [
          l.slice(0, l.indexOf(':')).toLowerCase(),
          l.slice(l.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) });
      socket.destroy();
    });
  });
}

describe('motif simulator with Python client framing', () => {
  let sim: MotifSimulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('GET /version with Content-Type and Connection: close answers and closes', async () => {
    const res = await pythonRequest(sim, 'GET', '/version');
    assert.equal(res.status, 200);
    assert.equal(res.headers.connection, 'close');
    assert.equal(typeof (JSON.parse(res.body) as { software: unknown }).software, 'string');
  });

  it('GET /api/1/cameras lists the fake cameras', async () => {
    const res = await pythonRequest(sim, 'GET', '/api/1/cameras');
    const serials = (JSON.parse(res.body) as { cameras: Array<{ serial: string }> }).cameras.map(
      (c) => c.serial,
    );
    assert.deepEqual(serials, ['FAKE0', 'FAKE1']);
  });

  it('PATCH with Python separators and a float configures the camera', async () => {
    const res = await pythonRequest(
      sim,
      'PATCH',
      '/api/1/camera/FAKE0/configure',
      '{"Gain": 0, "ExposureTime": 15000.0}',
    );
    assert.equal(res.status, 200);
    assert.equal(sim.state.cameras.get('FAKE0')?.parameters.ExposureTime, 15000);
  });

  it('POST with a bare Infinity toggles the output; a body-less POST with Content-Length: 0 works', async () => {
    let res = await pythonRequest(sim, 'POST', '/api/1/io/led/set', '{"value": Infinity}');
    assert.equal(res.status, 200);
    assert.equal(sim.state.outputs.led.value, 1);
    res = await pythonRequest(sim, 'POST', '/api/1/camera/FAKE1/recording/start');
    assert.equal(res.status, 200);
    assert.equal(sim.state.cameras.get('FAKE1')?.recording.status, 'pending');
    res = await pythonRequest(sim, 'POST', '/api/1/recording/stop');
    assert.equal(res.status, 200);
    assert.equal(sim.state.cameras.get('FAKE1')?.recording.status, 'idle');
    assert.equal(sim.requests.at(-1)?.headers['content-length'], '0');
  });

  it('a scheduled toggle with camera_relative and Infinity is stored, listed and deleted', async () => {
    const body =
      '{"task_name": "t", "cron_expression": "%2 * * ? * * *", "camera_relative": true, "value": Infinity}';
    let res = await pythonRequest(sim, 'POST', '/api/1/schedule/camera/FAKE0/io/led/set', body);
    assert.equal(res.status, 200);
    assert.equal(sim.state.tasks.get('t')?.args.value, Infinity);
    res = await pythonRequest(sim, 'GET', '/api/1/schedule');
    assert.match(res.body, /"value":Infinity/);
    res = await pythonRequest(sim, 'DELETE', '/api/1/schedule/t/clear');
    assert.equal(res.status, 200);
    assert.equal(sim.state.tasks.has('t'), false);
  });

  it('errors come as {"error", "status_code"} matching the HTTP status', async () => {
    const res = await pythonRequest(sim, 'GET', '/api/1/camera/FAKE9');
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(res.body), { error: 'camera FAKE9 not found', status_code: 404 });
  });
});
