/**
 * remotive-signals: a signal subscription (one namespace, the signals picked in the editor) as
 * messages, one per batch or one per signal, optionally rate-limited with the latest values
 * winning. The client's stream re-subscribes on its own after a broker restart, and after a stall
 * when a stall time is set.
 */
import {
  checkName,
  type RemotiveClient,
  type SignalSample,
  type StreamHandle,
  type StreamState,
} from '../../src/backends/remotive';
import { ConfigError, toRecorderError, type RecorderError } from '../../src/common/errors';
import { readConfig } from '../../src/common/fields';
import {
  attachConnection,
  configNode,
  registerNode,
  translator,
  type NodeDef,
  type RED,
  type ServerNode,
} from '../../src/common/node-red';
import { registerRemotiveAdmin } from './admin';
import { FIELDS, MAX_SIGNALS } from './fields';
import { LatestWins } from './latest-wins';
import { batchMessage, signalMessage } from './messages';

const TYPE = 'remotive-signals';

export function signalNames(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : String(value ?? '').split(/[\n,]/);
  return [...new Set(list.map((s) => String(s).trim()).filter((s) => s !== ''))];
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerRemotiveAdmin(RED);
  registerNode<NodeDef>(RED, TYPE, (node, config, life) => {
    const raw = config as unknown as Record<string, unknown>;
    // Old flows may hold the signals as an array.
    const values = readConfig(
      FIELDS,
      Array.isArray(raw.signals) ? { ...raw, signals: signalNames(raw.signals as string[]).join('\n') } : raw,
      TYPE,
    );
    const bad = (where: keyof typeof FIELDS, err: unknown): never => {
      throw new ConfigError(`${TYPE}: ${(err as Error).message}`, where, `invalid ${FIELDS[where].label}`);
    };
    const namespace = values.namespace;
    try {
      checkName(namespace, 'the namespace');
    } catch (err) {
      bad('namespace', err);
    }
    const names = signalNames(values.signals);
    try {
      if (names.length === 0) throw new Error('choose at least one signal');
      if (names.length > MAX_SIGNALS) throw new Error(`${names.length} signals are more than ${MAX_SIGNALS}`);
      for (const name of names) checkName(name, 'a signal name');
    } catch (err) {
      bad('signals', err);
    }
    const broker = configNode<ServerNode<RemotiveClient>>(RED, values.broker, 'remotive-broker');
    const status = attachConnection(node, broker.connection, life, t);
    const subscribed = (): void =>
      status.set('active', t('remotive-signals.status.subscribed', { count: names.length }));

    const sendBatch: (batch: SignalSample[]) => void =
      values.output === 'signal'
        ? (batch) => node.send([batch.map(signalMessage)])
        : (batch) => node.send(batchMessage(namespace, batch));
    let onBatch = sendBatch;
    const rate = values.rate ?? 0;
    if (rate > 0) {
      const limiter = new LatestWins<SignalSample>(1000 / rate, (latest) => sendBatch([...latest.values()]));
      life.add(() => limiter.stop());
      onBatch = (batch) => {
        for (const sample of batch) limiter.offer(sample.name, sample);
      };
    }

    let stream: StreamHandle;
    try {
      // Opened on the shared client; its outcomes are recorded through `watch` below.
      stream = broker.connection.open((client) =>
        client.subscribe(
          {
            namespace,
            signals: names,
            onChange: values.onChange,
            stallMs: Math.round((values.stall ?? 0) * 1000),
          },
          onBatch,
        ),
      );
    } catch (err) {
      // The connection can not work (configuration, credentials): its status already says so.
      status.fail(toRecorderError(err));
      return;
    }
    /** One warning per outage, not one per retry. */
    let warned = false;
    stream.on('state', (state: StreamState, raw?: RecorderError) => {
      // Redacted here too: this listener runs before the connection's own (which redacts in place).
      const error = raw && broker.connection.redact(raw);
      if (state === 'open') {
        warned = false;
        subscribed();
        return;
      }
      if (state === 'stalled') status.set('disconnected', error?.statusText ?? 'stalled');
      else if (error) status.fail(error);
      if (error && !warned) node.warn(error.message);
      warned = true;
    });
    life.add(broker.connection.watch(stream));
    life.add(() => stream.cancel());
  });
}
