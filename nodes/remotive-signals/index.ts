/**
 * remotive-signals: a signal subscription (one namespace, the signals picked in the editor) as
 * messages, one per batch or one per signal, optionally rate-limited with the latest values
 * winning. The client's stream re-subscribes on its own after a broker restart, and after a stall
 * when a stall time is set.
 */
import { checkName, type RemotiveClient, type SignalSample } from '../../src/backends/remotive';
import { signalNamesProblem } from '../../src/common/formats';
import { reopenable } from '../../src/kit/reopenable';
import { defineStreamNode } from '../../src/kit/stream-node';
import { followStates } from '../../src/kit/stream-states';
import { registerRemotiveAdmin } from './admin';
import { FIELDS, MIGRATIONS } from './fields';
import { LatestWins } from './latest-wins';
import { batchMessage, signalMessage } from './messages';

const TYPE = 'remotive-signals';

export function signalNames(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : String(value ?? '').split(/[\n,]/);
  return [...new Set(list.map((s) => String(s).trim()).filter((s) => s !== ''))];
}

export default defineStreamNode<typeof FIELDS, RemotiveClient>({
  type: TYPE,
  fields: FIELDS,
  server: { field: 'broker', type: 'remotive-broker' },
  migrations: MIGRATIONS,
  admin: registerRemotiveAdmin,
  open: (ctx, served, emit) => {
    const { values, t, node } = ctx;
    const namespace = values.namespace;
    ctx.check('namespace', () => checkName(namespace, 'the namespace'));
    const names = signalNames(values.signals);
    ctx.check('signals', () => {
      // The shared rule (common/formats.ts), which the editor runs as it is; then each name as the
      // backend checks it, for its own words.
      const problem = signalNamesProblem(names);
      if (problem !== null) throw new Error(problem);
      for (const name of names) checkName(name, 'a signal name');
    });
    const { server, status } = served;
    const subscribed = (): void =>
      status.set('active', t('remotive-signals.status.subscribed', { count: names.length }));

    const sendBatch: (batch: SignalSample[]) => void =
      values.output === 'signal'
        ? (batch) => emit(batch.map(signalMessage))
        : (batch) => emit(batchMessage(namespace, batch));
    let onBatch = sendBatch;
    const rate = values.rate ?? 0;
    if (rate > 0) {
      const limiter = new LatestWins<SignalSample>(1000 / rate, (latest) => sendBatch([...latest.values()]));
      ctx.life.add(() => limiter.stop());
      onBatch = (batch) => {
        for (const sample of batch) limiter.offer(sample.name, sample);
      };
    }

    return reopenable({
      open: () => {
        const stream = server.connection.open((client) =>
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
        const states = followStates(stream, served, subscribed, (text) => node.warn(text));
        const unwatch = server.connection.watch(stream);
        return {
          close: () => {
            unwatch();
            stream.cancel();
          },
          state: states.word,
        };
      },
      stopped: () => status.set('idle', t('recorders.status.stopped')),
    });
  },
});
