/**
 * A wrong remotive-broker setting: every user node shows it in red and every message gets a
 * catchable ConfigError naming the field, and nothing reaches the broker. Settings that are right
 * (an https URL with a real CA) still work.
 */
import assert from 'node:assert/strict';
import { generate } from 'selfsigned';
import type { RemotiveSimulator } from '../../src/simulators/remotive';
import { nextMessage, waitFor } from '../support/flow';
import {
  brokerNode,
  helper,
  load,
  playbackNode,
  signalsNode,
  startSim,
  statusNode,
  statusOf,
} from './remotive-helpers';

describe('remotive-broker settings', function () {
  this.timeout(20_000);
  let sim: RemotiveSimulator;
  let cert: string;

  before(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    cert = pems.cert;
  });
  beforeEach(async () => {
    sim = await startSim();
    await helper.startServer();
  });
  afterEach(async () => {
    await helper.unload();
    await helper.stopServer();
    await sim.close();
  });

  const cases: Array<{
    what: string;
    broker: Record<string, unknown>;
    creds?: Record<string, string>;
    says: RegExp;
  }> = [
    { what: 'a URL with another scheme', broker: { url: 'ftp://127.0.0.1:50051' }, says: /URL|http/ },
    { what: 'a URL with a path', broker: { url: 'http://127.0.0.1:50051/api' }, says: /path/ },
    { what: 'a URL with a space', broker: { url: 'http://broker pc:50051' }, says: /URL/ },
    { what: 'CA text that is not PEM', broker: { url: 'https://127.0.0.1:1', ca: 'not a pem' }, says: /PEM/ },
    {
      what: 'a PEM block that does not parse',
      broker: {
        url: 'https://127.0.0.1:1',
        ca: '-----BEGIN CERTIFICATE-----\nzz\n-----END CERTIFICATE-----',
      },
      says: /does not parse/,
    },
    { what: 'a timeout that is not a number', broker: { timeout: 'soon' }, says: /timeout/ },
    { what: 'a negative keepalive', broker: { keepalive: -1 }, says: /keepalive/ },
    { what: 'an API key with a space', broker: {}, creds: { apiKey: 'abc def-123' }, says: /API key/ },
  ];

  for (const c of cases)
    it(`${c.what}: every node red, every message a ConfigError`, async () => {
      const url = (c.broker.url as string | undefined) ?? sim.url;
      await load(
        [
          brokerNode(url, c.broker),
          playbackNode({ operation: 'list', path: '' }),
          statusNode(),
          signalsNode(),
        ],
        c.creds ?? {},
      );
      for (const id of ['pb', 'st', 'sig'])
        await waitFor(() => (statusOf(helper.getNode(id))?.fill === 'red' ? true : undefined));
      const caught = nextMessage(helper.getNode('caught'));
      helper.getNode('pb').receive({ marker: 1 });
      const msg = await caught;
      const error = msg.error as { message: string };
      assert.equal(msg.marker, 1);
      assert.match(error.message, /ConfigError/);
      assert.match(error.message, c.says);
      if (c.creds?.apiKey) assert.ok(!error.message.includes(c.creds.apiKey), 'the key is not shown');
      assert.equal(sim.state.received.length, 0, 'nothing reached the broker');
    });

  it('the signals look-up answers JSON, also for a wrong node and a broken broker', async () => {
    await load([brokerNode(sim.url), playbackNode({ operation: 'list', path: '' })]);
    const ok = await helper.request().get('/recorders/remotive/brk/signals');
    assert.equal(ok.status, 200);
    assert.ok(
      Array.isArray(ok.body) && ok.body.some((n: { namespace: string }) => n.namespace === 'chassis'),
    );
    const wrong = await helper.request().get('/recorders/remotive/pb/signals');
    assert.equal(wrong.status, 404);
    assert.match(String(wrong.headers['content-type']), /json/);
    assert.ok(typeof wrong.body.error === 'string');
    const missing = await helper.request().get('/recorders/remotive/nothing/signals');
    assert.equal(missing.status, 404);
    await sim.close();
    const down = await helper.request().get('/recorders/remotive/brk/signals');
    assert.equal(down.status, 502);
    assert.match(String(down.headers['content-type']), /json/);
    assert.doesNotMatch(String(down.text), /<html|at \w+ \(/i, 'no HTML page, no stack trace');
    sim = await startSim();
  });

  it('accepts a real CA certificate with an https URL', async () => {
    await load([
      brokerNode('https://127.0.0.1:1', { ca: cert }),
      playbackNode({ operation: 'list', path: '' }),
    ]);
    const broker = helper.getNode('brk') as unknown as {
      connection: { snapshot: { error?: { code: string } } };
    };
    await waitFor(() => (broker.connection.snapshot.error ? true : undefined), 15_000);
    assert.notEqual(broker.connection.snapshot.error?.code, 'CONFIG');
  });
});
