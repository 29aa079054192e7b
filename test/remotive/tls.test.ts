import assert from 'node:assert/strict';
import { generate } from 'selfsigned';
import { RemotiveClient } from '../../src/backends/remotive';
import { InputError, type RecorderError } from '../../src/common/errors';
import { RemotiveSimulator } from '../../src/simulators/remotive';

describe('remotive: TLS', function () {
  this.timeout(10_000);
  let sim: RemotiveSimulator;
  let cert: string;
  const clients: RemotiveClient[] = [];

  before(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    cert = pems.cert;
    sim = await RemotiveSimulator.start({ tls: { cert: pems.cert, key: pems.private } });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });

  it('serves https:// and is reached with the CA given', async () => {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const client = new RemotiveClient({ url: sim.url, ca: cert, apiKey: 'any' });
    clients.push(client);
    assert.equal((await client.licence()).valid, true);
  });

  it('refuses an untrusted certificate with a TlsError', async () => {
    const client = new RemotiveClient({ url: sim.url, timeoutMs: 3000 });
    clients.push(client);
    const err = await client.licence().then(
      () => undefined,
      (e: unknown) => e as RecorderError,
    );
    assert.ok(err, 'the call must fail');
    assert.equal(err.code, 'TLS', err.message);
    assert.match(err.message, /self-signed certificate/);
  });

  it('refuses a CA with a plaintext URL', () => {
    assert.throws(() => new RemotiveClient({ url: 'http://127.0.0.1:1', ca: cert }), InputError);
  });
});
