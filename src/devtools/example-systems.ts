/**
 * One simulated system per example tab, for `npm start` and the example tests. Tabs that shared one
 * motif server fought over it: "record all cameras" in one tab left another tab's start failing with
 * "already recording", and two RemotiveLabs tabs opened and closed the same recording session. Each
 * tab that has a motif, RemotiveLabs or Aivero config node now gets its own simulator of that kind
 * (any free port), and its motif cameras carry the tab's name (`M02-CAM0` for motif example 02), so
 * the state a tab shows is its own.
 */
import path from 'node:path';
import { simulators } from '../simulators/registry';
import type { SimulatorHandle } from '../simulators/types';
import { readExample, type ConfigTarget, type FlowNode } from './flows';
import { simulatorTargets } from './targets';

/** The config node type of each simulator. */
const CONFIG_TYPES: Record<string, string> = {
  'motif-server': 'motif',
  'remotive-broker': 'remotive',
  'aivero-server': 'aivero',
};

/** Short names of the example folders, for camera serials (`M02-CAM0`). */
const FOLDER_TAGS: Record<string, string> = { motif: 'M', 'motif-stream': 'MS', schedules: 'S' };

/** `M02` for `examples/motif/02 - ….json`: folder tag and the file's number. */
export function exampleTag(file: string): string {
  const folder = path.basename(path.dirname(file));
  const tag =
    FOLDER_TAGS[folder] ??
    folder
      .replace(/[^a-z]/gi, '')
      .slice(0, 3)
      .toUpperCase();
  const number = /^(\d+)/.exec(path.basename(file))?.[1] ?? '00';
  return `${tag}${number}`;
}

/** The cameras a tab's own motif simulator serves: two named after the tab, and any the tab names. */
export function exampleCameras(file: string, nodes: FlowNode[] = readExample(file)): string[] {
  const tag = exampleTag(file);
  const cameras = new Set([`${tag}-CAM0`, `${tag}-CAM1`]);
  const add = (v: unknown): void => {
    if (typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v)) cameras.add(v);
  };
  for (const n of nodes) {
    if (!n.type.startsWith('motif-') || n.type === 'motif-server') continue;
    add(n.camera);
    if (Array.isArray(n.tasks)) for (const t of n.tasks as Record<string, unknown>[]) add(t.camera);
  }
  return [...cameras];
}

export interface ExampleSystems {
  /** Per example file (same order as given): the config targets of that tab's own simulators. */
  targets: ConfigTarget[][];
  /** Every simulator started, labelled by the tab it serves (for printing and closing). */
  handles: { tab: string; handle: SimulatorHandle }[];
  close(): Promise<void>;
}

/** Starts one simulator per tab and backend the tab uses; the motif streams only where a tab reads them. */
export async function startExampleSystems(files: string[]): Promise<ExampleSystems> {
  const started: { tab: string; handle: SimulatorHandle }[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(started.map((s) => s.handle.close()));
  };
  const targets: ConfigTarget[][] = [];
  try {
    for (const file of files) {
      const nodes = readExample(file);
      const types = new Set(nodes.map((n) => n.type));
      const tab = String(nodes.find((n) => n.type === 'tab')?.label ?? path.basename(file));
      const handles: SimulatorHandle[] = [];
      for (const [configType, name] of Object.entries(CONFIG_TYPES)) {
        if (!types.has(configType)) continue;
        const options: Record<string, string> = { port: '0' };
        if (name === 'motif') {
          options.cameras = exampleCameras(file, nodes).join(',');
          // Streams cost two sockets and a timer per camera: only for tabs with a motif-stream node.
          options.streams = types.has('motif-stream') ? 'on' : 'off';
          options['state-rate'] = '10';
          options.fps = '10';
        }
        const handle = await simulators[name]().start(options);
        started.push({ tab, handle });
        handles.push(handle);
      }
      targets.push(simulatorTargets(handles));
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { targets, handles: started, close };
}
