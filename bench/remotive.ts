/**
 * remotive-signals throughput and remotive-status latency inside a running Node-RED flow, next to a
 * raw grpc-js client (our protos, plain @grpc/grpc-js + proto-loader, no RemotiveClient) on the
 * same simulator (in its own process) in the same run.
 *
 * Throughput: both subscribe to the same signals and receive the same broker stream during the
 * same playback windows, so each window compares them under identical load; rounds repeat and the
 * median ratio is reported with its spread (the lowest and highest round), never the best round. Latency: a seek is sent, and the time until the raw status stream
 * and the remotive-status node's output report the new offset is measured for each.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, PROTO_FILES, protoDir } from '../src/backends/remotive';
import { startChildSimulator } from './child-simulator';
import { startNodeRed, type EmbeddedNodeRed } from './embedded-node-red';
import { fmt, percentile, summary } from './stats';

const CITY = 'drive/city-loop.recordingsession.yaml';
const SIGNALS = ['EngineRpm', 'Gear', 'DriveMode'];
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS) || 2000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5;
const SEEKS = Number(process.env.BENCH_SEEKS) || 200;

type Unary = (request: object, callback: (err: grpc.ServiceError | null, response: unknown) => void) => void;
interface RawClients {
  session: grpc.Client &
    Record<string, Unary> & { PlaybackStatus(request: object): grpc.ClientReadableStream<unknown> };
  network: grpc.Client & { SubscribeToSignals(request: object): grpc.ClientReadableStream<unknown> };
}

function rawClients(target: string): RawClients {
  const definition = protoLoader.loadSync(
    PROTO_FILES.map((f) => path.join(protoDir(), f)),
    { ...LOADER_OPTIONS, includeDirs: [protoDir()] },
  );
  const base = (
    grpc.loadPackageDefinition(definition) as unknown as {
      base: Record<string, grpc.ServiceClientConstructor>;
    }
  ).base;
  const credentials = grpc.credentials.createInsecure();
  return {
    session: new base.RecordingSessionService(target, credentials) as unknown as RawClients['session'],
    network: new base.NetworkService(target, credentials) as unknown as RawClients['network'],
  };
}

function call(clients: RawClients, rpc: string, request: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    clients.session[rpc](request, (err, response) => (err ? reject(err) : resolve(response))),
  );
}

async function throughput(red: EmbeddedNodeRed, clients: RawClients): Promise<{ raw: number; node: number }> {
  let raw = 0;
  let node = 0;
  const stream = clients.network.SubscribeToSignals({
    signals: { signalId: SIGNALS.map((name) => ({ name, namespace: { name: 'powertrain' } })) },
    onChange: false,
    initialEmpty: true,
  });
  stream.on('data', (message: { signal?: unknown[] }) => {
    raw += message.signal?.length ?? 0;
  });
  stream.on('error', () => undefined);
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  const sink = red.getNode('sink') as unknown as NodeJS.EventEmitter;
  const onMessage = (msg: { payload: Record<string, unknown> }): void => {
    for (const key in msg.payload) if (key) node++;
  };
  sink.on('input', onMessage);
  await call(clients, 'PlaybackPlay', { path: CITY, offset: 0 });
  const started = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  await call(clients, 'PlaybackPause', { path: CITY });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // let both drain what the broker already sent
  await new Promise((r) => setTimeout(r, 300));
  sink.off('input', onMessage);
  stream.cancel();
  return { raw: raw / seconds, node: node / seconds };
}

async function latency(
  red: EmbeddedNodeRed,
  clients: RawClients,
): Promise<{ raw: number[]; node: number[] }> {
  const raw: number[] = [];
  const node: number[] = [];
  const stream = clients.session.PlaybackStatus({});
  stream.on('error', () => undefined);
  let waitingRaw: ((offset: number) => void) | undefined;
  let waitingNode: ((offset: number) => void) | undefined;
  stream.on('data', (message: { items?: Array<{ offset?: string }> }) => {
    for (const item of message.items ?? []) waitingRaw?.(Number(item.offset));
  });
  const sink = red.getNode('statusSink') as unknown as NodeJS.EventEmitter;
  const onMessage = (msg: { payload: { offsetUs: number } }): void => waitingNode?.(msg.payload.offsetUs);
  sink.on('input', onMessage);
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < SEEKS; i++) {
    const target = 1_000_000 + i * 1000;
    const t0 = process.hrtime.bigint();
    const seen = (set: (fn: (offset: number) => void) => void, into: number[]): Promise<void> =>
      new Promise((resolve) =>
        set((offset) => {
          if (offset !== target) return;
          into.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        }),
      );
    const both = Promise.all([seen((fn) => (waitingRaw = fn), raw), seen((fn) => (waitingNode = fn), node)]);
    await call(clients, 'PlaybackSeek', { path: CITY, offset: target });
    await both;
  }
  sink.off('input', onMessage);
  stream.cancel();
  return { raw, node };
}

export async function benchRemotive(): Promise<void> {
  const child = await startChildSimulator('remotive', ['grpc'], ['--tick', '1', '--burst', '20']);
  const target = new URL(child.lines.grpc).host;
  const clients = rawClients(target);
  let red: EmbeddedNodeRed | undefined;
  try {
    red = await startNodeRed(
      [
        { id: 'tab', type: 'tab' },
        { id: 'brk', type: 'remotive-broker', url: child.lines.grpc, ca: '', timeout: 10 },
        {
          id: 'sig',
          type: 'remotive-signals',
          z: 'tab',
          broker: 'brk',
          namespace: 'powertrain',
          signals: SIGNALS.join('\n'),
          onChange: false,
          output: 'batch',
          rate: 0,
          x: 100,
          y: 100,
          wires: [['sink']],
        },
        { id: 'sink', type: 'debug', z: 'tab', active: false, x: 300, y: 100, wires: [] },
        {
          id: 'st',
          type: 'remotive-status',
          z: 'tab',
          broker: 'brk',
          path: '',
          length: '',
          x: 100,
          y: 200,
          wires: [['statusSink']],
        },
        { id: 'statusSink', type: 'debug', z: 'tab', active: false, x: 300, y: 200, wires: [] },
      ],
      { brk: {} },
    );
    await call(clients, 'PlaybackOpen', { path: CITY, force: true });
    await call(clients, 'PlaybackRepeat', { path: CITY, startOffset: 0 });
    await new Promise((r) => setTimeout(r, 500)); // subscriptions in place

    console.log(
      `\nremotive-signals vs raw grpc-js (powertrain: ${SIGNALS.join(', ')}; simulator in its own process, --tick 1 --burst 20; ${WINDOW_MS} ms windows, both on the same stream)`,
    );
    const rounds: Array<{ raw: number; node: number; ratio: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const r = await throughput(red, clients);
      rounds.push({ ...r, ratio: r.node / r.raw });
      console.log(
        `round ${round + 1}: raw ${fmt(r.raw, 0)} signals/s, node ${fmt(r.node, 0)} signals/s, ratio ${fmt((r.node / r.raw) * 100, 1)}%`,
      );
    }
    const median = (values: number[]): number =>
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      );
    const ratios = rounds.map((r) => r.ratio);
    const ratio = median(ratios);
    console.log(
      `median of ${ROUNDS}: raw ${fmt(median(rounds.map((r) => r.raw)), 0)} signals/s | node ${fmt(median(rounds.map((r) => r.node)), 0)} signals/s | ratio ${fmt(ratio * 100, 1)}% (spread ${fmt(Math.min(...ratios) * 100, 1)}–${fmt(Math.max(...ratios) * 100, 1)}%) ${ratio >= 0.9 ? '(goal ≥90% met)' : '(goal ≥90% MISSED)'}`,
    );

    const lat = await latency(red, clients);
    const raw = summary(lat.raw);
    const node = summary(lat.node);
    console.log(`\nplayback status latency (seek → new offset reported), ${SEEKS} seeks`);
    console.log(`raw status stream: p50 ${fmt(raw.p50)} ms, p99 ${fmt(raw.p99)} ms`);
    console.log(
      `remotive-status:   p50 ${fmt(node.p50)} ms, p99 ${fmt(node.p99)} ms (p50 ratio ${fmt(node.p50 / raw.p50)}×)`,
    );
  } finally {
    await call(clients, 'PlaybackClose', { path: CITY }).catch(() => undefined);
    clients.session.close();
    clients.network.close();
    await red?.stop();
    await child.stop();
  }
}
