/**
 * Answers over the package's cap (32 MiB): a hostile HTTPS server sending a body without end, and
 * a valid JSON document over the cap. The call fails with the cap's words, the memory stays bounded
 * (the body is cut off, not gathered), and the same client keeps working.
 */
import assert from 'node:assert/strict';
import { AiveroClient } from '../../src/backends/aivero';
import { ANSWER_TOO_LARGE, MAX_ANSWER_BYTES } from '../../src/common/answer-cap';
import { rejection } from './helpers';
import { startHostileFront, type HostileFront } from './hostile-front';

const MIB = 1024 * 1024;
const CAMERA = { id: 'c0ffee00-0000-4000-8000-000000000001', model: 'REALSENSE_D435', serial: '1' };

/** The highest RSS seen while `work` runs, sampled every 5 ms, minus the RSS before it. */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growthMb: (peak - before) / MIB };
  } finally {
    clearInterval(timer);
  }
}

describe('aivero: answers over the cap', function () {
  this.timeout(60_000);
  let front: HostileFront;
  let client: AiveroClient;

  before(async () => {
    front = await startHostileFront();
    client = new AiveroClient({
      endpoint: front.url,
      adminSecret: 'cap-admin-secret',
      tls: { ca: front.ca },
      timeoutMs: 20_000,
    });
  });
  after(async () => {
    await client.close();
    await front.close();
  });
  beforeEach(() => {
    front.rules.length = 0;
    front.rules.push((req) => (req.operation === 'AiveroIntrospection' ? { json: { data: {} } } : undefined));
  });

  const camerasAnswered = (): void => {
    front.rules.push((req) =>
      req.operation === 'ListCameras' ? { json: { data: { cameras: [CAMERA] } } } : undefined,
    );
  };

  it('a body without end: the call fails with the cap error, memory bounded, the client keeps working', async () => {
    front.rules.push((req) => (req.operation === 'ListCameras' ? { endless: true } : undefined));
    const sentBefore = front.bytesSent();
    const { result: err, growthMb } = await rssGrowth(() => rejection(client.listCameras()));
    assert.equal(err.code, 'API');
    assert.equal(err.name, 'AiveroApiError');
    assert.ok(err.message.includes(ANSWER_TOO_LARGE), err.message);
    assert.match(err.message, /^listing cameras: /);
    assert.ok(front.bytesSent() - sentBefore > MAX_ANSWER_BYTES, 'the server did send past the cap');
    assert.ok(growthMb < 200, `the process grew by ${growthMb.toFixed(0)} MB`);
    front.rules.length = 0;
    camerasAnswered();
    assert.deepEqual(await client.listCameras(), [CAMERA]);
  });

  it('a valid JSON document over the cap is refused, not parsed into cameras', async () => {
    front.rules.push((req) =>
      req.operation === 'ListCameras' ? { jsonBytes: MAX_ANSWER_BYTES + 8 * MIB } : undefined,
    );
    const { result: err, growthMb } = await rssGrowth(() => rejection(client.listCameras()));
    assert.ok(err.message.includes(ANSWER_TOO_LARGE), err.message);
    assert.equal((err as { statusText?: string }).statusText, 'answer too large');
    assert.ok(growthMb < 200, `the process grew by ${growthMb.toFixed(0)} MB`);
    front.rules.length = 0;
    camerasAnswered();
    assert.deepEqual(await client.listCameras(), [CAMERA]);
  });

  it('a document just under the cap is still read', async () => {
    front.rules.push((req) =>
      req.operation === 'ListCameras' ? { jsonBytes: MAX_ANSWER_BYTES - MIB } : undefined,
    );
    const cameras = await client.listCameras();
    assert.ok(cameras.length > 1000);
  });

  it('the health check reads its answer under the same cap', async () => {
    front.rules.push((req) => (req.path.endsWith('/healthz') ? { endless: true } : undefined));
    const err = await rejection(client.health());
    assert.ok(err.message.includes(ANSWER_TOO_LARGE), err.message);
  });
});
