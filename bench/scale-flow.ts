/**
 * The scale benchmark's flow: N motif systems of 2 cameras, the Aivero recorders (sessions on one
 * Aivero server) and the RemotiveLabs playbacks (a broker each), all started by one message ("go")
 * and stopped by another ("halt"). Acknowledgements go to one sink per backend, so the benchmark
 * can time each backend's share of the spread.
 */

/** The recording every broker has open: 60 s long, so a benchmark never reaches its end. */
export const SCALE_RECORDING = 'drive/city-loop.recordingsession.yaml';
export const CAMERAS = ['FAKE0', 'FAKE1'];
export const IMAGE_STREAMS = 20;
export const BACKENDS = ['motif', 'aivero', 'remotive'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface MotifInfo {
  port: number;
  apiKey: string;
  fingerprint: string;
}

export interface AiveroInfo {
  url: string;
  ca: string;
  adminSecret: string;
  sessions: string[];
}

export interface RemotiveInfo {
  url: string;
}

export interface ScaleSystems {
  motif: MotifInfo[];
  aivero: AiveroInfo;
  remotive: RemotiveInfo[];
}

type FlowNode = Record<string, unknown>;

/** Sinks: the acknowledgements per backend, and what the streams and the other calls send. */
export const SINKS = {
  motifAck: 'ack-motif',
  aiveroAck: 'ack-aivero',
  remotiveAck: 'ack-remotive',
  stopped: 'stopped',
  states: 'states',
  images: 'images',
  sessionWatch: 'session-watch',
  playbackStatus: 'playback-status',
  signals: 'signals',
  running: 'running',
  errors: 'errors',
} as const;

/** The server (config) nodes, whose probes must all pass before the cold trigger. */
export function serverIds(systems: ScaleSystems): string[] {
  return [...systems.motif.map((_, i) => `srv${i}`), 'srv-a', ...systems.remotive.map((_, k) => `brk${k}`)];
}

/** The streams the benchmark starts after the cold trigger (the RemotiveLabs ones run from deploy). */
export function streamIds(systems: ScaleSystems): string[] {
  return [
    ...systems.motif.flatMap((_, i) =>
      CAMERAS.flatMap((_c, c) => [
        `state${i}-${c}`,
        ...(i * CAMERAS.length + c < IMAGE_STREAMS ? [`image${i}-${c}`] : []),
      ]),
    ),
    ...systems.aivero.sessions.map((_, k) => `watch${k}`),
  ];
}

export function scaleCredentials(systems: ScaleSystems): Record<string, Record<string, string>> {
  return {
    ...Object.fromEntries(systems.motif.map((sim, i) => [`srv${i}`, { apiKey: sim.apiKey }])),
    'srv-a': { adminSecret: systems.aivero.adminSecret },
  };
}

const at = { z: 'tab', x: 100, y: 100 };

/** The nodes each control message is wired to: trigger, stop, and around a stream window. */
interface Lists {
  starts: string[];
  stops: string[];
  runs: string[];
}

/** The motif-server config node `srv<i>` for a simulated system (its API key goes in credentials). */
export function motifServerNode(sim: MotifInfo, i: number): FlowNode {
  return {
    id: `srv${i}`,
    type: 'motif-server',
    host: '127.0.0.1',
    port: sim.port,
    tlsMode: 'fingerprint',
    fingerprint: sim.fingerprint,
    timeout: 10,
  };
}

function motifNodes(sim: MotifInfo, i: number, starts: string[], stops: string[]): FlowNode[] {
  const nodes: FlowNode[] = [motifServerNode(sim, i)];
  CAMERAS.forEach((camera, c) => {
    const action = (id: string, operation: string, wire: string): FlowNode => ({
      id,
      type: 'motif-action',
      ...at,
      server: `srv${i}`,
      operation,
      camera,
      args: '',
      payloadArgs: false,
      wires: [[wire]],
    });
    nodes.push(action(`start${i}-${c}`, 'camera/<serial>/recording/start', SINKS.motifAck));
    nodes.push(action(`stop${i}-${c}`, 'camera/<serial>/recording/stop', SINKS.stopped));
    starts.push(`start${i}-${c}`);
    stops.push(`stop${i}-${c}`);
    const stream = (id: string, kind: string, mode: string, wire: string): FlowNode => ({
      id,
      type: 'motif-stream',
      ...at,
      server: `srv${i}`,
      camera,
      stream: kind,
      mode,
      queue: 8,
      encoding: 'raw',
      stallTimeout: 5,
      autoStart: false,
      wires: [[wire]],
    });
    nodes.push(stream(`state${i}-${c}`, 'state', 'every', SINKS.states));
    if (i * CAMERAS.length + c < IMAGE_STREAMS)
      nodes.push(stream(`image${i}-${c}`, 'image', 'latest', SINKS.images));
  });
  return nodes;
}

/**
 * One aivero-server; per recorder an action to Started (in the trigger), one back to Standby (in
 * the stop), a second Started that has the session record through each stream window (the next
 * trigger's stop ends it), and a session watch.
 */
function aiveroNodes(aivero: AiveroInfo, lists: Lists): FlowNode[] {
  const nodes: FlowNode[] = [
    {
      id: 'srv-a',
      type: 'aivero-server',
      endpoint: aivero.url,
      auth: 'admin',
      tlsMode: 'ca',
      ca: aivero.ca,
      timeout: 10,
    },
  ];
  aivero.sessions.forEach((session, k) => {
    const action = (id: string, state: string, wire: string): FlowNode => ({
      id,
      type: 'aivero-action',
      ...at,
      server: 'srv-a',
      operation: 'setState',
      state,
      session,
      cameraModel: '',
      cameraSerial: '',
      sessionSpec: '',
      wait: false,
      waitTimeout: 5,
      wires: [[wire]],
    });
    nodes.push(
      action(`a-start${k}`, 'Started', SINKS.aiveroAck),
      action(`a-stop${k}`, 'Standby', SINKS.stopped),
      action(`a-run${k}`, 'Started', SINKS.running),
    );
    lists.starts.push(`a-start${k}`);
    lists.stops.push(`a-stop${k}`);
    lists.runs.push(`a-run${k}`);
    nodes.push({
      id: `watch${k}`,
      type: 'aivero-watch',
      ...at,
      server: 'srv-a',
      scope: 'session',
      session,
      autoStart: false,
      initial: true,
      output: 'change',
      protocol: 'auto',
      pollInterval: 2,
      stallTimeout: 20,
      wires: [[SINKS.sessionWatch]],
    });
  });
  return nodes;
}

/**
 * Per playback a broker, "play" (in the trigger) and "pause" (in the stop), a second play that
 * keeps the recording playing through each stream window (the next trigger's stop ends it), a
 * status and a signal stream
 * (both run from deploy, as the nodes have no start switch; they carry data only while it plays).
 */
function remotiveNodes(sim: RemotiveInfo, k: number, lists: Lists): FlowNode[] {
  const broker = `brk${k}`;
  const playback = (id: string, operation: string, wire: string): FlowNode => ({
    id,
    type: 'remotive-playback',
    ...at,
    broker,
    operation,
    path: SCALE_RECORDING,
    recursive: false,
    force: false,
    keepOpen: false,
    offset: '',
    start: '',
    end: '',
    closeOnStop: false,
    wires: [[wire]],
  });
  lists.starts.push(`r-play${k}`);
  lists.stops.push(`r-pause${k}`);
  lists.runs.push(`r-run${k}`);
  return [
    { id: broker, type: 'remotive-broker', url: sim.url, ca: '', timeout: 10 },
    playback(`r-play${k}`, 'play', SINKS.remotiveAck),
    playback(`r-pause${k}`, 'pause', SINKS.stopped),
    playback(`r-run${k}`, 'play', SINKS.running),
    {
      id: `r-status${k}`,
      type: 'remotive-status',
      ...at,
      broker,
      path: SCALE_RECORDING,
      length: '',
      wires: [[SINKS.playbackStatus]],
    },
    {
      id: `r-signals${k}`,
      type: 'remotive-signals',
      ...at,
      broker,
      namespace: 'chassis',
      signals: 'Speed\nSteeringAngle',
      onChange: false,
      output: 'batch',
      rate: 0,
      stall: 0,
      wires: [[SINKS.signals]],
    },
  ];
}

export function scaleFlow(systems: ScaleSystems): FlowNode[] {
  const lists: Lists = { starts: [], stops: [], runs: [] };
  const { starts, stops, runs } = lists;
  const nodes: FlowNode[] = [{ id: 'tab', type: 'tab' }];
  systems.motif.forEach((sim, i) => nodes.push(...motifNodes(sim, i, starts, stops)));
  const motifCameras = starts.length;
  nodes.push(...aiveroNodes(systems.aivero, lists));
  systems.remotive.forEach((sim, k) => nodes.push(...remotiveNodes(sim, k, lists)));
  const sink = (id: string): FlowNode => ({ id, type: 'debug', ...at, active: false, wires: [] });
  nodes.push(
    { id: 'go', type: 'change', ...at, rules: [], wires: [starts] },
    { id: 'halt', type: 'change', ...at, rules: [], wires: [stops] },
    // motif alone, to set beside the bare-undici baseline (which starts motif only).
    { id: 'go-motif', type: 'change', ...at, rules: [], wires: [starts.slice(0, motifCameras)] },
    { id: 'halt-motif', type: 'change', ...at, rules: [], wires: [stops.slice(0, motifCameras)] },
    { id: 'run', type: 'change', ...at, rules: [], wires: [runs] },
    ...Object.values(SINKS).map(sink),
    { id: 'catch', type: 'catch', ...at, scope: null, uncaught: false, wires: [[SINKS.errors]] },
  );
  return nodes;
}
