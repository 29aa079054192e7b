/**
 * `npm run bench -- fleet`: a facility over MQTT. One coordinator Node-RED (recorder-rigs), RIGS rig
 * Node-REDs (default 10) sharing SYSTEMS motif systems (default 200, 2 cameras each), a real
 * Mosquitto, every Node-RED a program of its own, the simulators in further processes.
 *
 * Measured: "start recording on all rigs" from the coordinator. A rig acknowledges once every
 * system it owns answered its start; the time from the coordinator's command to each rig's
 * acknowledgement is that rig's end-to-end latency (recorder-rigs reports it per rig), and its
 * p50/p99 over rigs and rounds is the acknowledgement spread. The first start is the cold one (the
 * rigs' connections were made ready when their nodes started). Baseline in the same run, rounds
 * alternating: a bare MQTT v5 client (mqtt.js) sending the same command to every rig itself and
 * timing the same acknowledgements, so the coordinator's own cost is the difference.
 * Goal (issue "a facility of many rigs"): spread p99 under 250 ms at 10 rigs and 200 systems.
 *   FLEET_RIGS=10 FLEET_SYSTEMS=200 FLEET_ROUNDS=6 npm run bench -- fleet
 */
import { randomUUID } from 'node:crypto';
import { startMosquitto } from '../test/support/fleet/mosquitto';
import { watchMqtt, type MqttWatch, type Seen } from '../test/support/fleet/mqtt-watch';
import { startNodeRedProcess, type NodeRedProcess } from '../test/support/fleet/node-red-process';
import { motifServerNode, type MotifInfo } from './scale-flow';
import { startSims, type SimProcess } from './sim-processes';
import { fmt, summary } from './stats';

const RIGS = Number(process.env.FLEET_RIGS) || 10;
const SYSTEMS = Number(process.env.FLEET_SYSTEMS) || 200;
const ROUNDS = Number(process.env.FLEET_ROUNDS) || 6;
const SIMS_PER_PROCESS = 50;
const PREFIX = 'recorders';
const ACKS = `${PREFIX}/coordinator/bench/acks`;
const RAW_ACKS = 'bench/raw-acks';

type FlowNode = Record<string, unknown>;

const at = (x: number, y: number): FlowNode => ({ z: 'tab', x, y });

function brokerNode(port: number, rig?: string): FlowNode {
  const status = rig ? `${PREFIX}/rigs/${rig}/status` : '';
  return {
    id: 'broker',
    type: 'mqtt-broker',
    broker: '127.0.0.1',
    port: String(port),
    protocolVersion: '5',
    keepalive: '15',
    cleansession: true,
    autoConnect: true,
    birthTopic: status,
    birthPayload: 'online',
    birthRetain: 'true',
    birthQos: '1',
    willTopic: status,
    willPayload: 'offline',
    willRetain: 'true',
    willQos: '1',
  };
}

/**
 * A rig of the shape of examples/fleet/01 scaled to `sims.length` motif systems: its command topic
 * → start (or stop) recording on every system (already recording counts as done) → one
 * acknowledgement once all answered, to the coordinator's response topic.
 */
function rigFlow(rig: string, sims: MotifInfo[], brokerPort: number): FlowNode[] {
  const nodes: FlowNode[] = [{ id: 'tab', type: 'tab', label: rig }, brokerNode(brokerPort, rig)];
  const starts: string[] = [];
  const stops: string[] = [];
  sims.forEach((sim, i) => {
    nodes.push(motifServerNode(sim, i));
    for (const [list, op, join] of [
      [starts, 'recording/start', 'joinstart'],
      [stops, 'recording/stop', 'joinstop'],
    ] as const) {
      const id = `${op.split('/')[1]}${i}`;
      list.push(id);
      nodes.push({
        id,
        type: 'motif-action',
        ...at(400, 100),
        server: `srv${i}`,
        operation: op,
        camera: '',
        args: '',
        payloadArgs: false,
        alreadyOk: true,
        wires: [[join]],
      });
    }
  });
  nodes.push(
    {
      id: 'commands',
      type: 'mqtt in',
      ...at(100, 100),
      broker: 'broker',
      topic: `${PREFIX}/rigs/${rig}/command`,
      qos: '1',
      datatype: 'json',
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [['route']],
    },
    {
      id: 'route',
      type: 'switch',
      ...at(250, 100),
      property: 'payload.command',
      propertyType: 'msg',
      rules: [
        { t: 'eq', v: 'start', vt: 'str' },
        { t: 'eq', v: 'stop', vt: 'str' },
      ],
      checkall: 'false',
      repair: false,
      outputs: 2,
      wires: [starts, stops],
    },
    ...['joinstart', 'joinstop'].map((id) => ({
      id,
      type: 'join',
      ...at(600, 100),
      mode: 'custom',
      build: 'array',
      property: 'payload',
      propertyType: 'msg',
      key: 'topic',
      joiner: '\\n',
      joinerType: 'str',
      accumulate: false,
      timeout: '',
      count: String(sims.length),
      reduceRight: false,
      wires: [['ack']],
    })),
    {
      id: 'ack',
      type: 'change',
      ...at(800, 100),
      rules: [
        {
          t: 'set',
          p: 'payload',
          pt: 'msg',
          to: `{"ok": true, "rig": "${rig}", "rigTime": $millis(), "result": {"systems": $count(payload)}}`,
          tot: 'jsonata',
        },
        { t: 'delete', p: 'topic', pt: 'msg' },
      ],
      wires: [['answer']],
    },
    {
      id: 'answer',
      type: 'mqtt out',
      ...at(1000, 100),
      broker: 'broker',
      topic: '',
      qos: '1',
      retain: 'false',
      wires: [],
    },
  );
  return nodes;
}

/** The coordinator: recorder-rigs between the rigs' topics and the benchmark's trigger and results. */
function coordinatorFlow(brokerPort: number): FlowNode[] {
  const mqttIn = (id: string, topic: string, datatype: string, wire: string): FlowNode => ({
    id,
    type: 'mqtt in',
    ...at(100, 100),
    broker: 'broker',
    topic,
    qos: '1',
    datatype,
    nl: false,
    rap: true,
    rh: 0,
    inputs: 0,
    wires: [[wire]],
  });
  const mqttOut = (id: string, topic: string): FlowNode => ({
    id,
    type: 'mqtt out',
    ...at(700, 100),
    broker: 'broker',
    topic,
    qos: '1',
    retain: 'false',
    wires: [],
  });
  return [
    { id: 'tab', type: 'tab', label: 'coordinator' },
    brokerNode(brokerPort),
    mqttIn('status', `${PREFIX}/rigs/+/status`, 'utf8', 'rigs'),
    mqttIn('acks', ACKS, 'json', 'rigs'),
    mqttIn('trigger', 'bench/trigger', 'json', 'command'),
    {
      id: 'command',
      type: 'change',
      ...at(300, 100),
      rules: [
        { t: 'set', p: 'topic', pt: 'msg', to: 'payload.command', tot: 'msg' },
        { t: 'set', p: 'payload', pt: 'msg', to: 'all', tot: 'str' },
      ],
      wires: [['rigs']],
    },
    {
      id: 'rigs',
      type: 'recorder-rigs',
      ...at(500, 100),
      prefix: PREFIX,
      ackTopic: ACKS,
      timeout: 30,
      outputs: 3,
      wires: [['commands'], ['results'], []],
    },
    mqttOut('commands', ''),
    mqttOut('results', 'bench/results'),
    { id: 'errors', type: 'catch', ...at(100, 200), scope: null, uncaught: false, wires: [['failed']] },
    {
      id: 'failed',
      type: 'change',
      ...at(300, 200),
      rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"error": error.message}', tot: 'jsonata' }],
      wires: [['results']],
    },
  ];
}

interface Round {
  /** Command → each rig's acknowledgement, ms. */
  perRig: number[];
  /** The whole command: trigger sent → last acknowledgement, ms. */
  total: number;
}

/** Waits for the next message on `topic` after index `from` in the watcher's record. */
async function next(watch: MqttWatch, topic: string, from: number, timeoutMs: number): Promise<Seen> {
  await watch.waitFor(topic, (all) => all.slice(from).some((m) => m.topic === topic), timeoutMs);
  return watch.seen.slice(from).find((m) => m.topic === topic) as Seen;
}

/** Through the coordinator: one message in, recorder-rigs fans out and reports each rig's time. */
async function viaCoordinator(watch: MqttWatch, command: string): Promise<Round> {
  const from = watch.seen.length;
  const t0 = performance.now();
  await watch.publish('bench/trigger', JSON.stringify({ command }));
  const result = await next(watch, 'bench/results', from, 60_000);
  const total = performance.now() - t0;
  const body = JSON.parse(result.payload) as {
    error?: string;
    results?: Record<string, { ok: boolean; ms?: number }>;
  };
  if (body.error || !body.results) throw new Error(`the coordinator's ${command} failed: ${body.error}`);
  const perRig = Object.values(body.results).map((r) => r.ms ?? NaN);
  if (perRig.length !== RIGS) throw new Error(`${command} reached ${perRig.length} of ${RIGS} rigs`);
  return { perRig, total };
}

/** Baseline: the bench's own MQTT client sends the command to every rig and times the acknowledgements. */
async function viaBareClient(watch: MqttWatch, command: string): Promise<Round> {
  const from = watch.seen.length;
  const id = randomUUID();
  const sent = new Map<string, number>();
  // The watcher stamps arrivals with Date.now(): the same clock here.
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: RIGS }, (_, r) => {
      const rig = `rig-${r + 1}`;
      sent.set(`${id}:${rig}`, Date.now());
      return watch.publish(`${PREFIX}/rigs/${rig}/command`, JSON.stringify({ command, commandId: id }), {
        properties: { responseTopic: RAW_ACKS, correlationData: Buffer.from(`${id}:${rig}`) },
      });
    }),
  );
  const mine = (all: Seen[]): Seen[] =>
    all.slice(from).filter((m) => m.topic === RAW_ACKS && sent.has(m.correlationData ?? ''));
  await watch.waitFor(`${command} acknowledgements`, (all) => mine(all).length >= RIGS, 60_000);
  const acks = mine(watch.seen);
  const perRig = acks.map((m) => m.at - (sent.get(m.correlationData ?? '') ?? NaN));
  return { perRig, total: Math.max(...acks.map((m) => m.at)) - t0 };
}

async function untilAnswered(watch: MqttWatch): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const from = watch.seen.length;
    await watch.publish('bench/trigger', JSON.stringify({ command: 'stop' }));
    try {
      await next(watch, 'bench/results', from, 1000);
      const answered = watch.seen.slice(from).find((m) => m.topic === 'bench/results') as Seen;
      const body = JSON.parse(answered.payload) as { results?: Record<string, unknown> };
      if (Object.keys(body.results ?? {}).length === RIGS) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

function line(label: string, rounds: Round[]): string {
  const all = summary(rounds.flatMap((r) => r.perRig));
  const totals = summary(rounds.map((r) => r.total));
  return `${label.padEnd(34)} ${fmt(all.p50, 1).padStart(8)} ${fmt(all.p99, 1).padStart(8)} ${fmt(totals.p50, 1).padStart(10)}`;
}

export async function benchFleet(): Promise<void> {
  console.log(`\n# fleet: 1 coordinator, ${RIGS} rigs, ${SYSTEMS} motif systems (2 cameras each), Mosquitto`);
  const broker = await startMosquitto();
  const simProcs: SimProcess[] = [];
  const reds: NodeRedProcess[] = [];
  let watch: MqttWatch | undefined;
  try {
    for (let left = SYSTEMS; left > 0; left -= SIMS_PER_PROCESS)
      simProcs.push(await startSims('motif', Math.min(SIMS_PER_PROCESS, left)));
    const sims = simProcs.flatMap((p) => p.sims) as unknown as MotifInfo[];
    watch = await watchMqtt(broker.url, [`${PREFIX}/rigs/+/status`, 'bench/results', RAW_ACKS]);
    const perRig = Math.ceil(SYSTEMS / RIGS);
    const starting = Array.from({ length: RIGS }, (_, r) => {
      const own = sims.slice(r * perRig, (r + 1) * perRig);
      const rig = `rig-${r + 1}`;
      return startNodeRedProcess({
        name: rig,
        flow: rigFlow(rig, own, broker.port),
        credentials: Object.fromEntries(own.map((s, i) => [`srv${i}`, { apiKey: s.apiKey }])),
      });
    });
    reds.push(...(await Promise.all(starting)));
    reds.push(await startNodeRedProcess({ name: 'coordinator', flow: coordinatorFlow(broker.port) }));
    const online = (all: Seen[]): number =>
      new Set(all.filter((m) => m.topic.endsWith('/status') && m.payload === 'online').map((m) => m.topic))
        .size;
    await watch.waitFor('every rig online', (all) => online(all) >= RIGS, 60_000);
    // Ready: every system's connections made when its motif-server started (one per camera).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const counts = (await Promise.all(simProcs.map((p) => p.connections()))).flat();
      if (counts.every((c) => c >= 2)) break;
      if (Date.now() > deadline) throw new Error('the rigs did not connect to every system');
      await new Promise((r) => setTimeout(r, 250));
    }
    // The coordinator subscribes once connected, and sees the rigs' retained status then: a stop
    // (not timed), asked again until it is answered, proves both before the cold start.
    await untilAnswered(watch);
    const cold = await viaCoordinator(watch, 'start');
    await viaCoordinator(watch, 'stop');
    const coordinator: Round[] = [];
    const bare: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [viaCoordinator, viaBareClient] : [viaBareClient, viaCoordinator];
      for (const how of order) {
        const measured = await how(watch, 'start');
        (how === viaCoordinator ? coordinator : bare).push(measured);
        await how(watch, 'stop');
      }
    }
    console.log(
      `${''.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'total p50'.padStart(10)}`,
    );
    console.log(line('coordinator, cold (first start)', [cold]));
    console.log(line(`coordinator, warm (${ROUNDS} rounds)`, coordinator));
    console.log(line('bare MQTT client (baseline)', bare));
    const warmP99 = summary(coordinator.flatMap((r) => r.perRig)).p99;
    const bareP99 = summary(bare.flatMap((r) => r.perRig)).p99;
    console.log(
      `coordinator / bare client p99: ${fmt(warmP99 / bareP99)} ×; per round p99 ms: ` +
        coordinator.map((r) => fmt(summary(r.perRig).p99, 0)).join(' '),
    );
    console.log(`goal: spread p99 < 250 ms: ${warmP99 < 250 ? 'met' : 'NOT met'} (${fmt(warmP99, 1)} ms)`);
  } catch (err) {
    // What the Node-REDs said is the first thing to read when a run fails.
    for (const red of reds) console.error(`--- ${red.name}\n${red.log().slice(-1500)}`);
    throw err;
  } finally {
    await watch?.close();
    await Promise.all(reds.map((r) => r.stop()));
    await Promise.all(simProcs.map((p) => p.stop()));
    await broker.stop();
  }
}
