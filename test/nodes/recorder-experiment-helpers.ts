/** The experiment node's tests: three simulators, their config nodes and the experiment node. */
import type { Node } from 'node-red';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { MotifSimulator } from '../../src/simulators/motif/server';
import { RemotiveSimulator } from '../../src/simulators/remotive';
import { helper, loadFlow, nodeModule, type FlowNode } from '../support/node-red';
import { COLOR, D435 } from './aivero-helpers';

export const MODULES = [
  nodeModule('motif-server'),
  nodeModule('aivero-server'),
  nodeModule('remotive-broker'),
  nodeModule('recorder-experiment'),
];

export const CITY = 'drive/city-loop.recordingsession.yaml';
export const SPEC = { name: 'rgbd', records: [{ camera: D435, streams: [COLOR] }] };

/** Three systems whose clocks disagree: ahead, behind, right; all drifting 50 ppm. */
export const CLOCKS = {
  motif: { clockOffsetMs: 2500, clockDriftPpm: 50 },
  aivero: { clockOffsetMs: -800, clockDriftPpm: 50 },
  remotive: { clockOffsetMs: 0, clockDriftPpm: 50 },
};

export interface Sims {
  motif: MotifSimulator;
  aivero: AiveroSimulator;
  remotive: RemotiveSimulator;
}

export async function startSims(): Promise<Sims> {
  const [motif, aivero, remotive] = await Promise.all([
    MotifSimulator.start({
      timing: { pendingMs: 30, copyMs: 300, exportMs: 300 },
      requestLogSize: 5000,
      ...CLOCKS.motif,
    }),
    AiveroSimulator.start({ refetchMs: 50, armingLatencyMs: 20, deviceTickMs: 20, ...CLOCKS.aivero }),
    RemotiveSimulator.start({ statusIntervalMs: 100, tickMs: 20, ...CLOCKS.remotive }),
  ]);
  return { motif, aivero, remotive };
}

export async function stopSims(sims: Sims | undefined): Promise<void> {
  if (!sims) return;
  await Promise.all([sims.motif.close(), sims.aivero.close(), sims.remotive.close()]);
}

export function servers(sims: Sims): FlowNode[] {
  return [
    {
      id: 'srv-m',
      type: 'motif-server',
      host: '127.0.0.1',
      port: sims.motif.port,
      tlsMode: 'fingerprint',
      fingerprint: sims.motif.fingerprint256,
      timeout: 5,
    },
    {
      id: 'srv-a',
      type: 'aivero-server',
      endpoint: sims.aivero.url,
      auth: 'admin',
      tlsMode: 'ca',
      ca: sims.aivero.ca,
      timeout: 5,
    },
    { id: 'srv-r', type: 'remotive-broker', url: sims.remotive.url, ca: '', timeout: 5 },
  ];
}

export const ALL_THREE = [
  { kind: 'motif', server: 'srv-m', cameras: 'FAKE0, FAKE1' },
  { kind: 'aivero', server: 'srv-a', spec: JSON.stringify(SPEC) },
  { kind: 'remotive', server: 'srv-r', path: CITY, offset: '2s' },
];

export function experimentNode(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'exp',
    type: 'recorder-experiment',
    z: 'tab',
    name: '',
    experiment: 'trial',
    participants: ALL_THREE,
    onFailure: 'stop',
    onClose: 'stop',
    pulseOutput: '',
    pulseMs: 50,
    clockEvery: 60,
    wires: [['manifest'], ['answers']],
    ...extra,
  };
}

const TAIL: FlowNode[] = [
  { id: 'tab', type: 'tab' },
  { id: 'manifest', type: 'helper', z: 'tab' },
  { id: 'answers', type: 'helper', z: 'tab' },
  { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 100, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'tab' },
];

export interface Loaded {
  exp: Node;
  manifest: Node;
  answers: Node;
  caught: Node;
}

export async function load(sims: Sims, node: FlowNode): Promise<Loaded> {
  await loadFlow(MODULES, [...servers(sims), node, ...TAIL], {
    'srv-m': { apiKey: sims.motif.apiKey },
    'srv-a': { adminSecret: sims.aivero.adminSecret },
  });
  const get = (id: string): Node => helper.getNode(id);
  return { exp: get('exp'), manifest: get('manifest'), answers: get('answers'), caught: get('caught') };
}
