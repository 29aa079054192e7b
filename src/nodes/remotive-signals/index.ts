/**
 * remotive-signals: a signal subscription (one namespace, the signals picked in the editor) as
 * messages, one per batch or one per signal, optionally rate-limited with the latest values
 * winning. The client's stream re-subscribes on its own after a broker restart.
 */
import type { SignalSample, StreamHandle } from '../../backends/remotive';
import { ConfigError, toRecorderError } from '../../common/errors';
import {
  configNode,
  registerNode,
  translator,
  useConnection,
  type NodeDef,
  type RED,
} from '../../common/node-red';
import { status, type NodeStatusShape } from '../../common/status';
import { brokerStatus, licenceWarning, type RemotiveBrokerNode } from '../remotive-broker';
import { registerRemotiveAdmin } from './admin';
import { LatestWins } from './latest-wins';
import { batchMessage, signalMessage } from './messages';

interface SignalsNodeConfig extends NodeDef {
  broker: string;
  namespace: string;
  /** Names separated by commas or new lines (the editor writes one per line). */
  signals: string | string[];
  onChange: boolean;
  output: 'batch' | 'signal';
  /** At most this many messages per second (per signal in signal mode); 0 or empty = no limit. */
  rate: string | number;
  /** Stalled when no batch arrives for this long, s; 0 or empty = never. */
  stall?: string | number;
}

export function signalNames(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : String(value ?? '').split(/[\n,]/);
  return [...new Set(list.map((s) => String(s).trim()).filter((s) => s !== ''))];
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerRemotiveAdmin(RED);
  registerNode<SignalsNodeConfig>(RED, 'remotive-signals', (node, config, life) => {
    const broker = configNode<RemotiveBrokerNode>(RED, config.broker, 'remotive-broker');
    const namespace = (config.namespace ?? '').trim();
    const names = signalNames(config.signals);
    if (!namespace) throw new ConfigError('choose the namespace of the signals');
    if (names.length === 0) throw new ConfigError('choose at least one signal');
    const rate = Number(config.rate) || 0;
    if (rate < 0) throw new ConfigError('the rate limit must be a positive number of messages per second');
    const perSignal = config.output === 'signal';

    let streamOpen = false;
    const subscribed = (): NodeStatusShape =>
      licenceWarning(broker, t) ??
      status('active', t('remotive-signals.status.subscribed', { count: names.length }));
    /** One warning per outage, not one per retry. */
    let warned = false;
    const view = useConnection(node, broker.connection, life, t, (shape, connected) =>
      connected && streamOpen ? subscribed() : brokerStatus(broker, shape, connected, t),
    );

    const sendBatch: (batch: SignalSample[]) => void = perSignal
      ? (batch) => node.send([batch.map(signalMessage)])
      : (batch) => node.send(batchMessage(namespace, batch));
    let onBatch = sendBatch;
    if (rate > 0) {
      const limiter = new LatestWins<SignalSample>(1000 / rate, (values) => sendBatch([...values.values()]));
      life.add(() => limiter.stop());
      onBatch = (batch) => {
        for (const sample of batch) limiter.offer(sample.name, sample);
      };
    }

    let handle: StreamHandle;
    try {
      handle = broker.connection
        .client()
        .subscribe(
          {
            namespace,
            signals: names,
            onChange: config.onChange === true,
            stallMs: (Number(config.stall) || 0) * 1000,
          },
          onBatch,
          (state, error) => {
            streamOpen = state === 'open';
            if (streamOpen) {
              warned = false;
              broker.connection.reportSuccess();
              if (broker.connection.state === 'connected')
                view.set('active', t('remotive-signals.status.subscribed', { count: names.length }));
            } else if (error) {
              // An unknown signal is the broker answering, not a lost connection: show it here.
              if (error.code === 'API') view.set('error', error.statusText);
              if (state === 'stalled') view.set('disconnected', error.statusText);
              broker.connection.reportFailure(error);
              if (!warned) node.warn(error.message);
              warned = true;
            }
          },
        );
    } catch (err) {
      const error = toRecorderError(err);
      view.set('error', error.statusText);
      node.error(error.message);
      return;
    }
    life.add(() => handle.cancel());
  });
}
