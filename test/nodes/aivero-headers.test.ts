/**
 * aivero-server's extra headers are credentials. In the test runtime: the headers in the node's
 * credential get a call through the simulator's basic-auth proxy, an older flow with the headers in
 * the plain field still does, a broken credential fails without quoting itself, and a server that
 * quotes header values back finds each of them cut out of msg.error, status and log. In Node-RED run
 * as a program with its flow files on disk: a deploy with the headers as credentials sends them, and
 * they are neither in `GET /flows` nor in flows.json, nor in clear in the encrypted credentials file;
 * after a restart they are still sent.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { prepareUserDir } from '../../src/devtools/start';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { collect, nextMessage, waitFor } from '../support/flow';
import { helper, loadFlow, nodeRedPackageDir, type FlowNode } from '../support/node-red';
import { actionNode, AIVERO, flow, serverNode, startSim, statusesOf } from './aivero-helpers';

const PROXY_USER = 'lab';
const PROXY_PASSWORD = 'proxy-pw-1138';
const BASIC = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;

/** An HTTP server that keeps every request's headers and answers with `answer`. */
async function recordingServer(
  answer: (headers: IncomingHttpHeaders) => unknown,
): Promise<{ url: string; seen: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    if (req.url?.endsWith('/healthz')) {
      res.end('OK');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer(req.headers)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/graphql`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

describe('aivero-server extra headers', function () {
  this.timeout(120_000);

  describe('in the test runtime', () => {
    let sim: AiveroSimulator;

    before(async () => {
      sim = await startSim({ tls: false, basicAuth: { username: PROXY_USER, password: PROXY_PASSWORD } });
    });
    after(async () => {
      await sim.close();
    });
    afterEach(async () => {
      await helper.unload();
    });

    /** The simulator behind its basic-auth proxy, over plain HTTP. */
    const proxied = (extra: Partial<FlowNode> = {}): FlowNode =>
      serverNode(sim, { tlsMode: 'verify', ca: '', ...extra });

    async function listCameras(server: FlowNode, creds: Record<string, string>): Promise<unknown> {
      await loadFlow(AIVERO, flow(server, actionNode({ operation: 'listCameras' })), { srv: creds });
      const caught = collect(helper.getNode('caught'));
      const got = nextMessage(helper.getNode('out'), 15_000).catch((err: Error) => {
        throw new Error(`${err.message}; caught: ${JSON.stringify(caught.map((m) => m.error))}`);
      });
      helper.getNode('act').receive({});
      return (await got).payload;
    }

    it('sends the headers from the credential: the basic-auth proxy lets the call through', async () => {
      const cameras = await listCameras(proxied(), {
        adminSecret: sim.adminSecret,
        extraHeaders: JSON.stringify({ Authorization: BASIC }),
      });
      assert.ok(Array.isArray(cameras) && cameras.length > 0);
    });

    it('an older flow with the headers in the plain field still sends them', async () => {
      const cameras = await listCameras(proxied({ headers: JSON.stringify({ Authorization: BASIC }) }), {
        adminSecret: sim.adminSecret,
      });
      assert.ok(Array.isArray(cameras) && cameras.length > 0);
    });

    it('the credential wins over a plain field left from an older flow', async () => {
      const stale = `Basic ${Buffer.from(`${PROXY_USER}:old-password`).toString('base64')}`;
      const cameras = await listCameras(proxied({ headers: JSON.stringify({ Authorization: stale }) }), {
        adminSecret: sim.adminSecret,
        extraHeaders: JSON.stringify({ Authorization: BASIC }),
      });
      assert.ok(Array.isArray(cameras) && cameras.length > 0);
    });

    it('a credential that is not a JSON object: a ConfigError naming the field, its text nowhere', async () => {
      const broken = `{"Authorization": "${BASIC}"`;
      await loadFlow(AIVERO, flow(proxied(), actionNode({ operation: 'listCameras' })), {
        srv: { adminSecret: sim.adminSecret, extraHeaders: broken },
      });
      const caught = collect(helper.getNode('caught'));
      helper.getNode('act').receive({});
      await waitFor(() => (caught.length >= 1 ? true : undefined));
      const error = caught[0].error as { message: string };
      assert.match(error.message, /aivero-server: extra headers must be a JSON object/);
      const seen = JSON.stringify([caught, statusesOf(helper.getNode('act')), helper.log().args]);
      for (const part of [BASIC.slice(6), PROXY_PASSWORD]) assert.equal(seen.includes(part), false, part);
    });
  });

  describe('a server that quotes the header values back', () => {
    // A short key (five characters) and a bearer token a server quotes without its scheme.
    const KEY = 'k3y45';
    const TOKEN = 'tok-9f8e7d6c5b4a';
    const HEADERS = { 'X-Api-Key': KEY, Authorization: `Bearer ${TOKEN}` };
    let echo: Awaited<ReturnType<typeof recordingServer>>;

    before(async () => {
      echo = await recordingServer((h) => ({
        errors: [
          {
            message: `key "${String(h['x-api-key'])}" and token ${String(h.authorization).slice(7)} refused`,
            extensions: { code: 'access-denied', path: '$' },
          },
        ],
      }));
    });
    after(async () => {
      await echo.close();
      await helper.unload();
    });
    afterEach(async () => {
      await helper.unload();
    });

    const places: Array<{ where: string; server: Partial<FlowNode>; creds: Record<string, string> }> = [
      { where: 'in the credential', server: {}, creds: { extraHeaders: JSON.stringify(HEADERS) } },
      {
        where: 'in the plain field of an older flow',
        server: { headers: JSON.stringify(HEADERS) },
        creds: {},
      },
    ];
    for (const { where, server, creds } of places) {
      it(`headers ${where}: sent, and every value cut out of msg.error, status and log`, async () => {
        echo.seen.length = 0;
        await loadFlow(
          AIVERO,
          flow(
            {
              id: 'srv',
              type: 'aivero-server',
              endpoint: echo.url,
              auth: 'none',
              tlsMode: 'verify',
              timeout: 2,
              ...server,
            },
            actionNode({ operation: 'listCameras' }),
          ),
          { srv: creds },
        );
        const caught = collect(helper.getNode('caught'));
        helper.getNode('act').receive({ payload: 1 });
        await waitFor(() => (caught.length >= 1 ? true : undefined), 10_000);
        assert.ok(
          echo.seen.some((h) => h['x-api-key'] === KEY && h.authorization === `Bearer ${TOKEN}`),
          'the headers reached the server',
        );
        const message = (caught[0].error as { message: string }).message;
        assert.match(message, /key "\*\*\*" and token ?\*\*\* refused/);
        const seen = JSON.stringify([caught, statusesOf(helper.getNode('act')), helper.log().args]);
        assert.equal(seen.includes(KEY), false, 'the key leaked');
        assert.equal(seen.includes(TOKEN), false, 'the token leaked');
      });
    }
  });

  describe('in Node-RED with its flow files on disk', () => {
    const LEGACY = 'legacy-token-2468';
    const TOKEN = 'proxy-token-97531';
    let server: Awaited<ReturnType<typeof recordingServer>>;
    let userDir: string;
    let port: number;
    let red: ChildProcess | undefined;
    let output = '';

    /** Node-RED as a program on `userDir`, resolved once it has started its flows. */
    async function startRed(): Promise<void> {
      output = '';
      const child = spawn(process.execPath, [path.join(nodeRedPackageDir, 'red.js'), '--userDir', userDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      red = child;
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${output}`)), 90_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Started flows')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`Node-RED exited (${code}):\n${output}`));
        });
      });
    }

    async function stopRed(): Promise<void> {
      const child = red;
      red = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }

    async function admin(method: string, route: string, body?: unknown): Promise<string> {
      const res = await fetch(`http://127.0.0.1:${port}${route}`, {
        method,
        headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${route}: ${res.status} ${text}`);
      return text;
    }

    /** Waits for a request carrying `name: value` after the `from`th one. */
    function sent(name: string, value: string, from = 0): Promise<true> {
      return waitFor(
        () => (server.seen.slice(from).some((h) => h[name] === value) ? true : undefined),
        30_000,
      ).catch(() => {
        throw new Error(`no request with ${name}; Node-RED said:\n${output.slice(-3000)}`);
      });
    }

    const user = (id: string, srv: string, y: number): FlowNode => ({
      ...actionNode({ id, server: srv, operation: 'listCameras', wires: [[]] }),
      z: 'tab',
      x: 200,
      y,
    });

    before(async () => {
      server = await recordingServer(() => ({
        errors: [{ message: 'not Hasura', extensions: { code: 'x' } }],
      }));
      userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aivero-headers-'));
      port = await freePort();
      prepareUserDir(userDir, port);
      // Credentials encrypted, as in any Node-RED installation with a credential secret.
      const settings = path.join(userDir, 'settings.js');
      const text = fs.readFileSync(settings, 'utf8');
      assert.ok(text.includes('credentialSecret: false'));
      fs.writeFileSync(settings, text.replace('credentialSecret: false', "credentialSecret: 'test-key-31'"));
      // A flow saved by an older version: the headers in the plain field.
      const flows: FlowNode[] = [
        { id: 'tab', type: 'tab', label: 'headers' },
        {
          id: 'legacy',
          type: 'aivero-server',
          endpoint: server.url,
          auth: 'none',
          role: '',
          headers: JSON.stringify({ 'X-Legacy-Token': LEGACY }),
          tlsMode: 'verify',
          ca: '',
          timeout: 2,
        },
        user('legacy-user', 'legacy', 100),
      ];
      fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows, null, 2));
      await startRed();
    });

    after(async () => {
      await stopRed();
      await server?.close();
      if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    });

    it('an older flow from the file still sends the header of its plain field', async () => {
      await sent('x-legacy-token', LEGACY);
    });

    it('headers deployed as credentials: sent, in neither GET /flows nor flows.json, encrypted on disk', async () => {
      const current = JSON.parse(await admin('GET', '/flows')) as FlowNode[];
      const from = server.seen.length;
      // What the editor deploys: the credential travels beside the node, never in its properties.
      await admin('POST', '/flows', [
        ...current,
        {
          id: 'proxied',
          type: 'aivero-server',
          endpoint: server.url,
          auth: 'none',
          role: '',
          headers: '',
          tlsMode: 'verify',
          ca: '',
          timeout: 2,
          credentials: { extraHeaders: JSON.stringify({ 'X-Proxy-Token': TOKEN }) },
        },
        user('proxied-user', 'proxied', 200),
      ]);
      await sent('x-proxy-token', TOKEN, from);
      assert.equal((await admin('GET', '/flows')).includes(TOKEN), false, 'GET /flows has the header');
      const flowFile = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
      assert.ok(flowFile.includes('"proxied"'), 'the deploy was saved');
      assert.equal(flowFile.includes(TOKEN), false, 'flows.json has the header');
      const credFile = fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8');
      assert.match(credFile, /"\$"/, 'the credentials file is encrypted');
      assert.equal(credFile.includes(TOKEN), false, 'flows_cred.json has the header in clear');
    });

    it('after a restart the credential is still sent', async () => {
      await stopRed();
      const from = server.seen.length;
      await startRed();
      await sent('x-proxy-token', TOKEN, from);
      await sent('x-legacy-token', LEGACY, from);
    });
  });
});
