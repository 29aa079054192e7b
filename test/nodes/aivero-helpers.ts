/** Shared pieces of the aivero node tests: modules and flow nodes against a simulator. */
import type { Node } from 'node-red';
import { AiveroSimulator, type AiveroSimulatorOptions } from '../../src/simulators/aivero';
import { nodeModule, type FlowNode } from '../support/node-red';

export const AIVERO = [nodeModule('aivero-server'), nodeModule('aivero-action'), nodeModule('aivero-watch')];

export const D435 = { model: 'REALSENSE_D435', serial: '935322071234' };

export const COLOR = {
  type: 'color',
  alignTo: 'color',
  encoder: 'HEVC',
  width: 1280,
  height: 720,
  nearCut: 300,
  farCut: 1000,
  bitrate: 1000000,
  frameRate: 15,
};
export const DEPTH = { ...COLOR, type: 'depth', encoder: 'Classic', bitrate: 5000000 };

export function startSim(options: AiveroSimulatorOptions = {}): Promise<AiveroSimulator> {
  return AiveroSimulator.start({ refetchMs: 50, armingLatencyMs: 50, deviceTickMs: 20, ...options });
}

export function serverNode(sim: AiveroSimulator, extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'srv',
    type: 'aivero-server',
    endpoint: sim.url,
    auth: 'admin',
    tlsMode: 'ca',
    ca: sim.ca,
    timeout: 5,
    ...extra,
  };
}

export function credentials(
  sim: AiveroSimulator,
  secret = sim.adminSecret,
): Record<string, Record<string, string>> {
  return { srv: { adminSecret: secret } };
}

export function actionNode(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'act',
    type: 'aivero-action',
    z: 'tab',
    server: 'srv',
    operation: 'setState',
    state: 'Started',
    session: '',
    cameraModel: '',
    cameraSerial: '',
    sessionSpec: '',
    wait: false,
    waitTimeout: 5,
    wires: [['out']],
    ...extra,
  };
}

export function watchNode(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'watch',
    type: 'aivero-watch',
    z: 'tab',
    server: 'srv',
    scope: 'session',
    session: '',
    autoStart: true,
    initial: true,
    protocol: 'auto',
    pollInterval: 0.1,
    wires: [['wout']],
    ...extra,
  };
}

export function flow(...nodes: FlowNode[]): FlowNode[] {
  // Flow nodes need a position: Node-RED takes a node without x/y for a config node.
  const placed = nodes.map((n) => (n.z ? { x: 100, y: 100, ...n } : n));
  return [
    { id: 'tab', type: 'tab' },
    ...placed,
    { id: 'out', type: 'helper', z: 'tab', x: 1, y: 1 },
    { id: 'wout', type: 'helper', z: 'tab', x: 1, y: 1 },
    { id: 'catch', type: 'catch', z: 'tab', x: 1, y: 1, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab', x: 1, y: 1 },
  ];
}

export const SPEC = {
  name: 'mysession',
  endDate: '+1h',
  state: 'Scheduled',
  records: [{ camera: D435, streams: [COLOR, DEPTH] }],
};

interface StatusCall {
  thisValue: unknown;
  args: unknown[];
}

/** The statuses this node set (the helper's spy is shared by every node: filter by `this`). */
export function statusesOf(node: Node): Array<{ fill?: string; shape?: string; text?: string }> {
  const spy = node.status as unknown as { getCalls?: () => StatusCall[] };
  return (spy.getCalls?.() ?? [])
    .filter((c) => c.thisValue === node)
    .map((c) => c.args[0] as { fill?: string; shape?: string; text?: string });
}

export function lastStatus(node: Node): { fill?: string; shape?: string; text?: string } | undefined {
  const all = statusesOf(node);
  return all[all.length - 1];
}

/** A simulator in its own process, so its embedded Postgres (synchronous WASM) never blocks ours. */
export interface ChildSim {
  url: string;
  ca: string;
  adminSecret: string;
  close(): Promise<void>;
}

export async function startChildSim(extra: string[] = []): Promise<ChildSim> {
  const { spawn } = await import('node:child_process');
  const { readFileSync, mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aivero-sim-'));
  const certOut = path.join(dir, 'ca.pem');
  const adminSecret = randomBytes(16).toString('hex');
  const cli = path.join(__dirname, '..', '..', '..', 'bin', 'recorders-sim.js');
  const child = spawn(
    process.execPath,
    [cli, 'aivero', '--port', '0', '--admin-secret', adminSecret, '--cert-out', certOut, ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the simulator did not start: ${out}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /aivero graphql: (\S+)/.exec(out);
      if (m && out.includes('aivero database start')) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited (${code}): ${out}`));
    });
  });
  return {
    url,
    ca: readFileSync(certOut, 'utf8'),
    adminSecret,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
