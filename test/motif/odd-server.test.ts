/**
 * The client against a server that does not answer like motif: non-JSON, empty and endless bodies.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { MotifClient } from '../../src/backends/motif/client';
import { generateCertificate } from '../../src/simulators/motif';
import { rejection } from './helpers';

describe('motif client against an odd server', () => {
  let server: Server;
  let client: MotifClient;
  const answers: Record<string, [number, string]> = {
    '/version': [200, ''],
    '/api/1/cameras': [502, '<html>Bad Gateway</html>'],
    '/api/1/recordings': [200, 'not json'],
    '/api/1/camera/FAKE0': [500, '{"error": "internal failure", "status_code": 500}'],
  };

  before(async () => {
    const cert = await generateCertificate();
    server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      if (req.url === '/api/1/io/read') {
        // An answer that never ends: 1 MiB chunks for as long as the client reads.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        const more = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', more);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        more();
        return;
      }
      const [status, body] = answers[req.url ?? ''] ?? [404, ''];
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    client = new MotifClient({
      host: '127.0.0.1',
      port,
      apiKey: 'k'.repeat(32),
      tls: { mode: 'ca', ca: cert.cert },
    });
  });
  after(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('an empty 2xx body is {}', async () => {
    assert.deepEqual(await client.version(), {});
  });

  it('a non-JSON error body gives ApiError with the HTTP status', async () => {
    const err = await rejection(() => client.cameras());
    assert.equal(err.name, 'ApiError');
    assert.equal((err as unknown as { status: number }).status, 502);
    assert.match(err.message, /HTTP 502/);
  });

  it('a non-JSON 2xx body gives ApiError instead of a crash', async () => {
    const err = await rejection(() => client.call('recordings'));
    assert.equal(err.name, 'ApiError');
    assert.match(err.message, /not JSON/);
  });

  it('an error body with {error, status_code} gives its message', async () => {
    const err = await rejection(() => client.cameraStatus('FAKE0'));
    assert.equal(err.name, 'ApiError');
    assert.equal(err.message, 'motif error 500: internal failure');
  });

  it('refuses an answer over 32 MiB instead of filling the memory, and keeps working', async () => {
    const err = await rejection(() => client.call('io/read'));
    assert.equal(err.name, 'ApiError');
    assert.match(err.message, /io\/read with the answer is over 32 MiB/);
    assert.deepEqual(await client.version(), {});
  });
});
