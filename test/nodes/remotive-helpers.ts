/** Shared pieces of the remotive node tests: modules, flow nodes, a simulator per test. */
import { RemotiveSimulator, type RemotiveSimulatorOptions } from '../../src/simulators/remotive';
import { helper, loadFlow, nodeModule, type FlowNode } from '../support/node-red';

export const REMOTIVE = [
  nodeModule('remotive-broker'),
  nodeModule('remotive-playback'),
  nodeModule('remotive-status'),
  nodeModule('remotive-signals'),
];

export const CITY = 'drive/city-loop.recordingsession.yaml';
export const HIGHWAY = 'drive/highway.recordingsession.yaml';

export function brokerNode(url: string, extra: Partial<FlowNode> = {}): FlowNode {
  return { id: 'brk', type: 'remotive-broker', url, ca: '', timeout: 2, ...extra };
}

export function playbackNode(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'pb',
    type: 'remotive-playback',
    z: 'tab',
    broker: 'brk',
    operation: 'play',
    path: CITY,
    recursive: false,
    force: false,
    offset: '',
    start: '',
    end: '',
    closeOnStop: false,
    wires: [['out']],
    ...extra,
  };
}

export function statusNode(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'st',
    type: 'remotive-status',
    z: 'tab',
    broker: 'brk',
    path: '',
    length: '',
    wires: [['sto']],
    ...extra,
  };
}

export function signalsNode(extra: Partial<FlowNode> = {}): FlowNode {
  return {
    id: 'sig',
    type: 'remotive-signals',
    z: 'tab',
    broker: 'brk',
    namespace: 'chassis',
    signals: 'Speed\nSteeringAngle',
    onChange: false,
    output: 'batch',
    rate: 0,
    wires: [['sgo']],
    ...extra,
  };
}

export const TAIL: FlowNode[] = [
  { id: 'tab', type: 'tab' },
  { id: 'out', type: 'helper', z: 'tab' },
  { id: 'sto', type: 'helper', z: 'tab' },
  { id: 'sgo', type: 'helper', z: 'tab' },
  { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 100, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'tab' },
];

export function startSim(options: RemotiveSimulatorOptions = {}): Promise<RemotiveSimulator> {
  return RemotiveSimulator.start({ statusIntervalMs: 100, tickMs: 20, ...options });
}

export async function load(flow: FlowNode[], credentials: Record<string, string> = {}): Promise<void> {
  await loadFlow(REMOTIVE, [...flow, ...TAIL], { brk: credentials });
}

export { helper };

interface StatusSpy {
  getCalls(): Array<{ thisValue: unknown; args: unknown[] }>;
}

/** The last status this node set (the test helper's spy is shared by every node). */
export function statusOf(node: unknown): { fill?: string; shape?: string; text?: string } | undefined {
  const spy = (node as { status: unknown }).status as StatusSpy;
  const own = spy.getCalls().filter((c) => c.thisValue === node);
  return own[own.length - 1]?.args[0] as { fill?: string; shape?: string; text?: string } | undefined;
}

/** Every status this node set. */
export function statusesOf(node: unknown): unknown[] {
  const spy = (node as { status: unknown }).status as StatusSpy;
  return spy
    .getCalls()
    .filter((c) => c.thisValue === node)
    .map((c) => c.args[0]);
}
