import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MotifClient } from '../../src/backends/motif/client';
import { simulators } from '../../src/simulators/registry';

describe('motif simulator CLI module', () => {
  it('starts from the registry, writes a trustable certificate and reports key and fingerprint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'motif-sim-'));
    const handle = await simulators
      .motif()
      .start({ port: '0', key: 'abcdef123456abcdef123456abcdef12', 'cert-out': join(dir, 'motif.pem') });
    try {
      assert.equal(handle.info['api key'], 'abcdef123456abcdef123456abcdef12');
      assert.match(handle.info['certificate sha-256 fingerprint'], /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const url = new URL(handle.endpoints.api);
      const ca = await readFile(join(dir, 'motif.pem'), 'utf8');
      const client = new MotifClient({
        host: url.hostname,
        port: Number(url.port),
        apiKey: handle.info['api key'],
        tls: { mode: 'ca', ca },
      });
      try {
        assert.equal(typeof (await client.version()).software, 'string');
      } finally {
        await client.close();
      }
    } finally {
      await handle.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
