/**
 * A broker answer over the package's cap (32 MiB): a hostile gRPC server on loopback answers the
 * licence check with a 40 MiB message. The call fails with the cap's words instead of the message
 * being gathered and decoded, and the same client keeps working.
 */
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { RemotiveClient } from '../../src/backends/remotive';
import { serviceDefinition } from '../../src/backends/remotive/proto';
import { ANSWER_TOO_LARGE, MAX_ANSWER_BYTES } from '../../src/common/answer-cap';
import { rejection } from './helpers';

describe('remotive: answers over the cap', function () {
  this.timeout(30_000);
  let server: grpc.Server;
  let client: RemotiveClient;
  let licenceBytes = 0;

  before(async () => {
    server = new grpc.Server();
    server.addService(serviceDefinition('SystemService'), {
      GetLicenseInfo: (_call: unknown, callback: grpc.sendUnaryData<object>) =>
        callback(null, { status: 'VALID', json: Buffer.alloc(licenceBytes, 0x20), expires: '2099-01-01' }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    client = new RemotiveClient({ url: `http://127.0.0.1:${port}` });
  });
  after(async () => {
    await client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('a message over the cap fails the call with the cap error; the client keeps working', async () => {
    licenceBytes = MAX_ANSWER_BYTES + 8 * 1024 * 1024;
    const err = await rejection(client.licence());
    assert.equal(err.code, 'API');
    assert.match(err.message, /^licence check/);
    assert.ok(err.message.includes(ANSWER_TOO_LARGE), err.message);
    assert.equal((err as { statusText?: string }).statusText, 'answer too large');
    licenceBytes = 10;
    assert.equal((await client.licence()).status, 'VALID');
  });
});
