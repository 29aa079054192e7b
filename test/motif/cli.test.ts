import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MotifClient } from '../../src/backends/motif/client';
import { checkOptions, parseArgs, startSimulators } from '../../src/simulators/cli';
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

describe('recorders-sim command line', () => {
  const bin = join(__dirname, '..', '..', '..', 'bin', 'recorders-sim.js');

  function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [bin, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      });
    });
  }

  it('refuses an unknown option with the usage text and starts nothing', async () => {
    const { code, stdout, stderr } = await run(['motif', '--port', '0', '--api-key', 'K']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown option --api-key/);
    assert.match(stderr, /usage: recorders-sim/);
    assert.match(stderr, /--key/, 'the usage lists the real option');
    assert.doesNotMatch(stdout, /motif api:/, 'no simulator was started');
  });

  it('refuses an option without a value, a single-dash option and a malformed value', async () => {
    for (const args of [
      ['motif', '--port'],
      ['motif', '--port', '0', '--key'],
      ['motif', '-k', 'x'],
      ['motif', '--port', 'abc'],
      ['motif', '--port', '0', '--key', 'a b'],
    ]) {
      const { code, stderr } = await run(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, /usage: recorders-sim/, args.join(' '));
    }
  });

  it('starts nothing for an unknown simulator or no simulator', async () => {
    for (const args of [['nope'], []]) {
      const { code, stderr } = await run(args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /usage: recorders-sim/);
    }
  });

  it('checks options for every simulator: plain options are ambiguous with several', async () => {
    assert.throws(() => parseArgs(['motif', '--port', '1', '--port', '2']), { name: 'UsageError' });
    await assert.rejects(startSimulators(['all'], { port: '0' }), {
      name: 'UsageError',
      message: /ambiguous.*--motif-port/,
    });
    await assert.rejects(startSimulators(['remotive'], { 'remotive-api-key': 'K' }), {
      name: 'UsageError',
      message: /unknown option --remotive-api-key/,
    });
    await assert.rejects(startSimulators(['motif'], { 'remotive-port': '0' }), { name: 'UsageError' });
  });

  it('still takes --option=value, prefixed options and bare on/off flags', async () => {
    assert.deepEqual(parseArgs(['motif', '--port=0', '--key', 'abc']).options, { port: '0', key: 'abc' });
    const flag = parseArgs(['aivero', '--lenient-ints', '--port', '0']);
    assert.doesNotThrow(() => checkOptions(['aivero'], flag.options, flag.bare));
    const notFlag = parseArgs(['aivero', '--port']);
    assert.throws(() => checkOptions(['aivero'], notFlag.options, notFlag.bare), /--port needs a value/);
    const handles = await startSimulators(['motif'], { 'motif-port': '0', key: 'k1' });
    try {
      assert.equal(handles[0].info['api key'], 'k1');
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });
});
