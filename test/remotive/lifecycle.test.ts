import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_FILES, protoDir } from '../../src/backends/remotive';
import { RemotiveSimulator } from '../../src/simulators/remotive';
import { simulators } from '../../src/simulators/registry';
import { CITY } from './helpers';

function runChild(
  mode: string,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'exit-check.js'), mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, stdout, timedOut: true });
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, timedOut: false });
    });
  });
}

describe('remotive: lifecycle', () => {
  for (const mode of ['streaming', 'reconnecting'])
    it(`leaves no open handles after close (${mode})`, async function () {
      this.timeout(10_000);
      const result = await runChild(mode, 6000);
      assert.equal(result.timedOut, false, `the process did not exit on its own: ${result.stdout}`);
      assert.equal(result.code, 0, result.stdout);
      assert.match(result.stdout, /closed/);
    });

  it('lets a raw @grpc/grpc-js client with our protos talk to the simulator', async () => {
    const sim = await RemotiveSimulator.start();
    const dir = protoDir();
    const definition = protoLoader.loadSync(
      PROTO_FILES.map((f) => path.join(dir, f)),
      { includeDirs: [dir], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
    );
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      base: { RecordingSessionService: grpc.ServiceClientConstructor };
    };
    const raw = new loaded.base.RecordingSessionService(
      `127.0.0.1:${sim.port}`,
      grpc.credentials.createInsecure(),
    );
    const call = (rpc: string, request: object): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) =>
        (raw[rpc] as (r: object, cb: (e: Error | null, v: Record<string, unknown>) => void) => void).call(
          raw,
          request,
          (err, value) => (err ? reject(err) : resolve(value)),
        ),
      );
    try {
      const listing = await call('ListRecordingFiles', { path: 'drive' });
      assert.ok((listing.files as Array<{ path: string }>).some((f) => f.path === CITY));
      await call('PlaybackOpen', { path: CITY, force: false });
      const played = await call('PlaybackPlay', { path: CITY, offset: '7000000' });
      assert.equal(played.mode, 'PLAYBACK_PLAYING');
      assert.ok(Number(played.offset) >= 7_000_000);
      const statuses = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const stream = (
          raw.PlaybackStatus as (r: object) => grpc.ClientReadableStream<Record<string, unknown>>
        ).call(raw, {});
        stream.once('data', (message) => {
          stream.cancel();
          resolve(message);
        });
        stream.on('error', (err: grpc.ServiceError) => {
          if (err.code !== grpc.status.CANCELLED) reject(err);
        });
      });
      const items = statuses.items as Array<{ path: string; mode: string }>;
      assert.deepEqual(
        items.map((i) => [i.path, i.mode]),
        [[CITY, 'PLAYBACK_PLAYING']],
      );
    } finally {
      raw.close();
      await sim.close();
    }
  });

  it('is registered as the "remotive" simulator and starts from the CLI options', async () => {
    const module = simulators.remotive();
    assert.equal(module.name, 'remotive');
    assert.deepEqual(
      module.options.map((o) => [o.name, o.default]),
      [
        ['port', '50051'],
        ['host', '127.0.0.1'],
        ['key', undefined],
        ['speed', '1'],
        ['tick', '50'],
        ['burst', '1'],
        ['timestamps', 'recording'],
        ['clock-offset-ms', '0'],
        ['clock-drift-ppm', '0'],
      ],
    );
    const handle = await module.start({ port: '0' });
    try {
      assert.match(handle.endpoints.grpc, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.doesNotMatch(handle.endpoints.grpc, /:0$/);
    } finally {
      await handle.close();
    }
  });
});
