/**
 * Server text is shown as text in the editor, never run as script: a motif server whose cameras
 * have serials made of markup (and whose errors carry markup), and a broker whose namespaces,
 * signals and errors carry markup, are asked by the camera and signal pickers. No script may run,
 * no element may be injected, and the text must be shown as it is, in a selectable list.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import type net from 'node:net';
import type { Page } from 'playwright-core';
import * as grpc from '@grpc/grpc-js';
import { packageDefinition } from '../../src/backends/remotive/proto';
import { fingerprint256, generateCertificate } from '../../src/simulators/motif/certificate';
import {
  STARTUP_MS,
  closeDialogs,
  openDialog,
  startEditorSession,
  type EditorSession,
  type FlowNode,
} from './session';

/** Markup that runs script when rendered as HTML, and a harmless tag to see it was not rendered. */
const PWN = '<img src=x onerror="window.__pwned=1">';
const BOLD = '<b class="hostile">bold</b>';
const ERROR_KEY = 'hostile-error';

interface Hostile {
  motifPort: number;
  motifFingerprint: string;
  brokerPort: number;
  close(): Promise<void>;
}

async function startHostileServers(): Promise<Hostile> {
  const { key, cert } = await generateCertificate({ organization: 'hostile' });
  const motif = https.createServer({ key, cert }, (req, res) => {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '').split('?')[0];
    if (path === '/version') return json(200, { software: PWN, version: '5.2.0', api: 1 });
    if (path === '/api/1/cameras') {
      if (req.headers['x-api-key'] === ERROR_KEY)
        return json(500, { error: `camera bus failed: ${PWN}${BOLD}` });
      return json(200, { cameras: [{ serial: PWN }, { serial: BOLD }, { serial: 'FAKE0' }] });
    }
    return json(404, { error: `no route ${PWN}` });
  });
  await new Promise<void>((resolve) => motif.listen(0, '127.0.0.1', resolve));

  const proto = grpc.loadPackageDefinition(packageDefinition()) as unknown as {
    base: { SystemService: { service: grpc.ServiceDefinition } };
  };
  const broker = new grpc.Server();
  const failing = (call: grpc.ServerUnaryCall<unknown, unknown>): boolean =>
    call.metadata.get('x-api-key')[0] === ERROR_KEY;
  broker.addService(proto.base.SystemService.service, {
    GetLicenseInfo: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, { status: 'VALID', expires: '2099-12-31', requestId: 'hostile', json: Buffer.from('{}') }),
    HealthCheck: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, {}),
    GetConfiguration: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      if (failing(call))
        return cb({ code: grpc.status.INVALID_ARGUMENT, details: `bad namespace ${PWN}${BOLD}` }, null);
      cb(null, { networkInfo: [{ namespace: { name: PWN }, type: 'virtual', description: BOLD }] });
    },
    ListSignals: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) =>
      cb(null, {
        frame: [
          {
            signalInfo: { id: { name: BOLD, namespace: { name: PWN } } },
            childInfo: [{ id: { name: PWN, namespace: { name: PWN } } }],
          },
        ],
      }),
  });
  const brokerPort = await new Promise<number>((resolve, reject) =>
    broker.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  return {
    motifPort: (motif.address() as net.AddressInfo).port,
    motifFingerprint: fingerprint256(cert),
    brokerPort,
    close: async () => {
      motif.closeAllConnections();
      await new Promise<void>((resolve) => motif.close(() => resolve()));
      await new Promise<void>((resolve) => broker.tryShutdown(() => resolve()));
      broker.forceShutdown();
    },
  };
}

function hostileFlow(h: Hostile): { nodes: FlowNode[]; credentials: Record<string, Record<string, string>> } {
  const motifServer = (id: string): FlowNode => ({
    id,
    type: 'motif-server',
    name: `${id} server`,
    host: '127.0.0.1',
    port: h.motifPort,
    tlsMode: 'fingerprint',
    fingerprint: h.motifFingerprint,
    ca: '',
    timeout: 10,
  });
  const broker = (id: string): FlowNode => ({
    id,
    type: 'remotive-broker',
    name: `${id} server`,
    url: `http://127.0.0.1:${h.brokerPort}`,
    ca: '',
    timeout: 10,
  });
  return {
    nodes: [
      { id: 'hostile-tab', type: 'tab', label: 'hostile servers' },
      motifServer('hostile-motif'),
      motifServer('hostile-motif-error'),
      broker('hostile-broker'),
      broker('hostile-broker-error'),
      {
        id: 'hostile-action',
        type: 'motif-action',
        z: 'hostile-tab',
        name: 'hostile action',
        server: 'hostile-motif',
        operation: 'camera/<serial>/recording/start',
        camera: '',
        output: '',
        parameter: '',
        task: '',
        ioSerial: '',
        ioPort: '',
        args: '',
        payloadArgs: true,
        wait: false,
        waitTimeout: 600,
        x: 200,
        y: 100,
        wires: [[]],
      },
      {
        id: 'hostile-signals',
        type: 'remotive-signals',
        z: 'hostile-tab',
        name: 'hostile signals',
        broker: 'hostile-broker',
        namespace: '',
        signals: 'Speed',
        onChange: false,
        output: 'batch',
        rate: 0,
        x: 200,
        y: 200,
        wires: [[]],
      },
    ],
    credentials: {
      'hostile-motif': { apiKey: 'hostile' },
      'hostile-motif-error': { apiKey: ERROR_KEY },
      'hostile-broker': {},
      'hostile-broker-error': { apiKey: ERROR_KEY },
    },
  };
}

/** Waits for `condition`; on timeout, fails with what the pickers show instead. */
async function waitOrExplain(session: EditorSession, condition: () => boolean): Promise<void> {
  const { page } = session;
  try {
    await page.waitForFunction(condition);
  } catch (err) {
    const shown = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.recorders-picker-message, .recorders-picker'))
        .map((e) => `${e.id}: ${(e.textContent ?? '').slice(0, 300)}`)
        .join(' | '),
    );
    throw new Error(`${(err as Error).message}; the dialog shows: ${shown}\nNode-RED: ${session.log()}`);
  }
}

/** What markup might have done to the page: script run, elements injected anywhere. */
async function damage(session: EditorSession): Promise<{ pwned: unknown; injected: number }> {
  return session.page.evaluate(() => ({
    pwned: (globalThis as unknown as { __pwned?: unknown }).__pwned,
    injected: document.querySelectorAll('img[src="x"], b.hostile').length,
  }));
}

describe('editor pickers with hostile server text', function () {
  this.timeout(STARTUP_MS * 2);
  let hostile: Hostile;
  let session: EditorSession;

  before(async () => {
    hostile = await startHostileServers();
    const flow = hostileFlow(hostile);
    session = await startEditorSession({ extraNodes: flow.nodes, extraCredentials: flow.credentials });
  });

  after(async () => {
    await session?.close();
    await hostile?.close();
  });

  afterEach(async () => {
    if (session) await closeDialogs(session.page);
  });

  it('motif-action lists markup camera serials as text in a pick list', async () => {
    const { page } = session;
    await openDialog(page, 'hostile-action');
    await page.waitForSelector('.motif-action-row-camera:visible');
    await page.selectOption('#node-input-server', 'hostile-motif');
    await pressButton(page, '#motif-action-list-cameras');
    await waitOrExplain(session, () => document.querySelectorAll('#motif-action-cameras option').length >= 4);
    const shown = await page.evaluate(() => ({
      visible: (document.querySelector('#motif-action-cameras') as HTMLElement).offsetParent !== null,
      texts: Array.from(document.querySelectorAll('#motif-action-cameras option')).map((o) => o.textContent),
      values: Array.from(document.querySelectorAll('#motif-action-cameras option')).map(
        (o) => (o as HTMLOptionElement).value,
      ),
      toasts: document.querySelectorAll('.red-ui-notification').length,
    }));
    assert.ok(shown.visible, 'the cameras are shown as a list');
    assert.deepEqual(shown.texts.slice(1), [PWN, BOLD, 'FAKE0']);
    assert.deepEqual(shown.values, ['__all', PWN, BOLD, 'FAKE0']);
    assert.equal(shown.toasts, 0, 'no toast instead of a list');
    // Picking a camera puts its serial (as text) into the field.
    await page.selectOption('#motif-action-cameras', 'FAKE0');
    assert.equal(await page.inputValue('#node-input-camera'), 'FAKE0');
    assert.deepEqual(await damage(session), { pwned: undefined, injected: 0 });
  });

  it('motif-action shows a markup error of the server as text', async () => {
    const { page } = session;
    await openDialog(page, 'hostile-action');
    await page.waitForSelector('.motif-action-row-camera:visible');
    await page.selectOption('#node-input-server', 'hostile-motif-error');
    await pressButton(page, '#motif-action-list-cameras');
    await waitOrExplain(session, () =>
      (document.querySelector('#motif-action-cameras-message')?.textContent ?? '').includes(
        'camera bus failed',
      ),
    );
    const message = await page.textContent('#motif-action-cameras-message');
    assert.ok(message?.includes(PWN) && message.includes(BOLD), `the error is shown as text: ${message}`);
    assert.deepEqual(await damage(session), { pwned: undefined, injected: 0 });
  });

  it('remotive-signals lists markup namespaces and signals as text', async () => {
    const { page } = session;
    await openDialog(page, 'hostile-signals');
    await page.selectOption('#node-input-broker', 'hostile-broker');
    await pressButton(page, '#remotive-signals-list');
    await waitOrExplain(
      session,
      () => document.querySelectorAll('#remotive-signals-picker option').length >= 2,
    );
    const shown = await page.evaluate(() => ({
      namespaces: Array.from(document.querySelectorAll('#remotive-signals-namespaces option')).map(
        (o) => o.textContent,
      ),
      signals: Array.from(document.querySelectorAll('#remotive-signals-picker option')).map(
        (o) => o.textContent,
      ),
      namespace: (document.querySelector('#node-input-namespace') as HTMLInputElement).value,
    }));
    assert.deepEqual(shown.namespaces, [PWN]);
    assert.equal(shown.namespace, PWN);
    assert.deepEqual(shown.signals, [BOLD, PWN]);
    await page.selectOption('#remotive-signals-picker', [BOLD, PWN]);
    assert.equal(await page.inputValue('#node-input-signals'), `${BOLD}\n${PWN}`);
    assert.deepEqual(await damage(session), { pwned: undefined, injected: 0 });
  });

  it('remotive-signals shows a markup error of the broker as text', async () => {
    const { page } = session;
    await openDialog(page, 'hostile-signals');
    await page.selectOption('#node-input-broker', 'hostile-broker-error');
    await pressButton(page, '#remotive-signals-list');
    await waitOrExplain(session, () =>
      (document.querySelector('#remotive-signals-message')?.textContent ?? '').includes('bad namespace'),
    );
    const message = await page.textContent('#remotive-signals-message');
    assert.ok(message?.includes(PWN) && message.includes(BOLD), `the error is shown as text: ${message}`);
    assert.deepEqual(await damage(session), { pwned: undefined, injected: 0 });
  });

  it('RED.notify through the editor module shows markup as text', async () => {
    const { page } = session;
    await page.evaluate((text) => {
      (globalThis as unknown as { RecordersEditor: { notify(m: string): void } }).RecordersEditor.notify(
        text,
      );
    }, `${PWN}${BOLD}`);
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('.red-ui-notification')).some((n) =>
        (n.textContent ?? '').includes('onerror'),
      ),
    );
    assert.deepEqual(await damage(session), { pwned: undefined, injected: 0 });
    assert.deepEqual(session.pageErrors, []);
  });
});

/**
 * Press a dialog button through the DOM. Node-RED 5 lays a shade over the tray while the config-node
 * selector settles, which swallows a pointer click; what this test checks is the text the button
 * brings, not the pointer path.
 */
async function pressButton(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector);
  await page.$eval(selector, (el) => (el as HTMLElement).click());
}
