/**
 * gRPC method handlers of the simulator, one per rpc. Each one checks credentials, records the
 * request as received (tests inspect presence of optional fields), then acts on the session table.
 */
import * as grpc from '@grpc/grpc-js';
import type { RemotiveSimulator } from './server';
import { SimError, type SessionSnapshot } from './sessions';
import { normalisePath } from './recordings';

type Unary = grpc.handleUnaryCall<Record<string, unknown>, unknown>;
type ServerStream = grpc.handleServerStreamingCall<Record<string, unknown>, unknown>;

/** Optional uint64 field: undefined when absent on the wire, else its value as a number. */
function optionalUs(request: Record<string, unknown>, name: string): number | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new SimError('badOffset', `${name} ${String(value)} is out of range`);
  return n;
}

function pathOf(request: Record<string, unknown>): string {
  return normalisePath(typeof request.path === 'string' ? request.path : '');
}

export function toWireStatus(snap: SessionSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = { path: snap.path, mode: snap.mode, offset: snap.offsetUs };
  if (snap.repeat) out.repeat = { startOffset: snap.repeat.startUs, endOffset: snap.repeat.endUs };
  return out;
}

export function buildHandlers(
  sim: () => RemotiveSimulator,
): Record<string, grpc.UntypedServiceImplementation> {
  /** Wraps a unary body with auth, recording and error mapping. */
  const unary =
    (rpc: string, body: (request: Record<string, unknown>) => unknown): Unary =>
    (call, callback) => {
      const s = sim();
      s.record(rpc, call.request);
      const denied = s.authError(call.metadata);
      if (denied) return callback(denied);
      try {
        callback(null, body(call.request));
      } catch (err) {
        callback(s.grpcError(err));
      }
    };

  /** A playback command: apply it, push the new status list to every status stream, reply. */
  const command = (rpc: string, apply: (request: Record<string, unknown>) => SessionSnapshot): Unary =>
    unary(rpc, (request) => {
      const snap = apply(request);
      sim().pushStatus();
      return toWireStatus(snap);
    });

  const table = () => sim().sessionTable();

  const playbackStatus: ServerStream = (call) => {
    const s = sim();
    s.record('PlaybackStatus', call.request);
    const denied = s.authError(call.metadata);
    if (denied) return void call.emit('error', denied);
    call.sendMetadata(new grpc.Metadata());
    s.addStatusStream(call);
  };

  const subscribeToSignals: ServerStream = (call) => {
    const s = sim();
    s.record('SubscribeToSignals', call.request);
    const denied = s.authError(call.metadata);
    if (denied) return void call.emit('error', denied);
    const ids = (call.request.signals as { signalId?: unknown[] } | null)?.signalId ?? [];
    const known = new Set(s.allSignals().map((sig) => `${sig.namespace}\u0000${sig.name}`));
    const wanted = new Set<string>();
    for (const id of ids) {
      const { name, namespace } = id as { name?: string; namespace?: { name?: string } | null };
      const key = `${namespace?.name ?? ''}\u0000${name ?? ''}`;
      if (!known.has(key))
        return void call.emit(
          'error',
          s.grpcError(
            new SimError(
              'unknownSignal',
              `unknown signal "${name ?? ''}" in namespace "${namespace?.name ?? ''}"`,
            ),
          ),
        );
      wanted.add(key);
    }
    if (wanted.size === 0)
      return void call.emit('error', {
        code: grpc.status.INVALID_ARGUMENT,
        details: 'no signals to subscribe to',
      });
    call.sendMetadata(new grpc.Metadata());
    if (call.request.initialEmpty === true) call.write({ signal: [] });
    s.addSubscriber({ call, wanted, onChange: call.request.onChange === true, last: new Map() });
  };

  return {
    RecordingSessionService: {
      ListRecordingFiles: unary('ListRecordingFiles', (request) => ({ files: sim().files(pathOf(request)) })),
      PlaybackStatus: playbackStatus,
      PlaybackOpen: command('PlaybackOpen', (r) => table().open(pathOf(r), r.force === true)),
      PlaybackPlay: command('PlaybackPlay', (r) => table().play(pathOf(r), optionalUs(r, 'offset'))),
      PlaybackPause: command('PlaybackPause', (r) => table().pause(pathOf(r), optionalUs(r, 'offset'))),
      PlaybackSeek: command('PlaybackSeek', (r) => table().seek(pathOf(r), optionalUs(r, 'offset') ?? 0)),
      PlaybackClose: command('PlaybackClose', (r) => table().close(pathOf(r))),
      PlaybackRepeat: command('PlaybackRepeat', (r) =>
        table().repeat(pathOf(r), optionalUs(r, 'startOffset'), optionalUs(r, 'endOffset')),
      ),
    },
    SystemService: {
      GetLicenseInfo: unary('GetLicenseInfo', () => ({
        status: sim().licenceStatus(),
        expires: '2099-12-31',
        requestId: 'simulator',
        json: Buffer.from(JSON.stringify({ licensee: 'RemotiveBroker simulator', features: ['playback'] })),
      })),
      HealthCheck: unary('HealthCheck', () => ({})),
      GetConfiguration: unary('GetConfiguration', () => {
        const namespaces = [
          ...new Set(
            sim()
              .allSignals()
              .map((sig) => sig.namespace),
          ),
        ];
        return {
          networkInfo: namespaces.map((name) => ({
            namespace: { name },
            type: 'virtual',
            description: `simulated ${name} bus`,
          })),
          serverVersion: 'v1.0.0-simulator',
          publicAddress: sim().url,
        };
      }),
      ListSignals: unary('ListSignals', (request) => {
        const namespace = typeof request.name === 'string' ? request.name : '';
        const signals = sim()
          .allSignals()
          .filter((sig) => sig.namespace === namespace);
        if (signals.length === 0) throw new SimError('notFound', `no namespace "${namespace}" on the broker`);
        const frames = new Map<string, Array<Record<string, unknown>>>();
        for (const sig of signals) {
          const children = frames.get(sig.frame) ?? [];
          children.push({
            id: { name: sig.name, namespace: { name: namespace } },
            metaData: { unit: sig.unit ?? '', description: sig.description ?? '' },
          });
          frames.set(sig.frame, children);
        }
        return {
          frame: [...frames].map(([frame, childInfo]) => ({
            signalInfo: { id: { name: frame, namespace: { name: namespace } }, metaData: {} },
            childInfo,
          })),
        };
      }),
    },
    NetworkService: {
      SubscribeToSignals: subscribeToSignals,
    },
  };
}
