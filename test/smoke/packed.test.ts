/**
 * The package as a user gets it: `npm pack`, install the tarball into a fresh Node-RED user
 * directory, start Node-RED there, and ask its admin API which node types it registered.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { nodeRedPackageDir } from '../support/node-red';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  'node-red': { nodes: Record<string, string> };
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited (${code}):\n${seen}`));
    });
  });
}

describe('packed package in a fresh Node-RED user directory', function () {
  this.timeout(240_000);
  let work: string;
  let red: ChildProcess | undefined;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'recorders-smoke-'));
  });

  after(async () => {
    if (red && red.exitCode === null) {
      const exited = new Promise((resolve) => red?.once('exit', resolve));
      red.kill('SIGINT');
      await exited;
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('installs from the tarball and registers every node type without errors', async () => {
    // The build already ran (npm test builds first), so packing skips the prepack build.
    const tarball = execFileSync(
      'npm',
      ['pack', '--ignore-scripts', '--silent', '--pack-destination', work],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .pop() as string;
    const userDir = path.join(work, 'user');
    fs.mkdirSync(userDir);
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'smoke', private: true }));
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, tarball)],
      {
        cwd: userDir,
        stdio: 'ignore',
      },
    );
    const installed = path.join(userDir, 'node_modules', pkg.name);
    assert.ok(fs.existsSync(path.join(installed, 'examples')), 'examples are in the package');
    // package.json "main" resolves and exposes the three backend clients.
    const main = execFileSync(
      process.execPath,
      ['-e', `const m = require(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).sort().join())`],
      { cwd: userDir, encoding: 'utf8' },
    );
    assert.equal(main.trim(), 'aivero,motif,remotive');
    for (const file of Object.values(pkg['node-red'].nodes)) {
      assert.ok(fs.existsSync(path.join(installed, file)), `${file} is in the package`);
      assert.ok(
        fs.existsSync(path.join(installed, file.replace(/\.js$/, '.html'))),
        `${file} has its editor HTML`,
      );
    }

    const port = await freePort();
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, credentialSecret: false, editorTheme: { tours: false } };\n`,
    );
    red = spawn(process.execPath, [path.join(nodeRedPackageDir, 'red.js'), '--userDir', userDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = await waitForOutput(red, /Server now running/, 120_000);
    assert.doesNotMatch(log, /\[(warn|error)\].*recorders/i, 'no warning or error about our package');

    const response = await fetch(`http://127.0.0.1:${port}/nodes`, {
      headers: { accept: 'application/json' },
    });
    const sets = (await response.json()) as Array<{
      module: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }>;
    const ours = sets.filter((s) => s.module === pkg.name);
    const types = ours.flatMap((s) => s.types).sort();
    assert.deepEqual(types, Object.keys(pkg['node-red'].nodes).sort());
    for (const set of ours) {
      assert.equal(set.err, undefined, `${set.types.join()} loaded without error`);
      assert.equal(set.enabled, true);
    }
    const editor = await fetch(`http://127.0.0.1:${port}/nodes`, { headers: { accept: 'text/html' } });
    const html = await editor.text();
    for (const type of types)
      assert.match(html, new RegExp(`data-template-name="${type}"`), `${type} editor template`);
  });
});
