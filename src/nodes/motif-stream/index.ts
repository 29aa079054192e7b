/**
 * motif-stream: a camera's realtime image or state stream as messages, with a backpressure mode,
 * stall recovery and start/stop/restart control. Thin glue: `backends/motif/stream.ts` owns the
 * ZeroMQ socket and the policy, `config.ts` checks the settings, `message.ts` shapes messages.
 */
import { resolveStreamEndpoint } from '../../backends/motif/stream-endpoint';
import { MotifStream, type MotifStreamItem, type MotifStreamStatus } from '../../backends/motif/stream';
import { InputError, toRecorderError, type RecorderError } from '../../common/errors';
import {
  configNode,
  onInput,
  registerNode,
  StatusView,
  translator,
  type Msg,
  type Node,
  type NodeDef,
  type RED,
} from '../../common/node-red';
import type { MotifServerNode } from '../motif-server';
import { hostOfAddress, streamSettings, type MotifStreamConfig } from './config';
import { buildMessage, encodedMessage, needsEncoding, type MessageContext } from './message';

interface MotifStreamNodeConfig extends NodeDef, MotifStreamConfig {
  server: string;
}

const ACTIONS = ['start', 'stop', 'restart'] as const;
type Action = (typeof ACTIONS)[number];

/** Failures of the API connection itself (as opposed to a wrong camera) move the shared connection. */
const CONNECTION_CODES = new Set(['CONNECTION', 'TIMEOUT', 'TLS', 'AUTH']);

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<MotifStreamNodeConfig>(RED, 'motif-stream', (node: Node, config, life) => {
    const server = configNode<MotifServerNode>(RED, config.server, 'motif-server');
    const settings = streamSettings(config);
    const apiHost = hostOfAddress(server.address);
    const view = new StatusView(node, life, 1000);
    life.add(() => view.clear());
    let camera = settings.camera;
    /** The control message that started the stream: errors reach Catch nodes with it. */
    let origin: Msg | undefined;
    let reported: string | undefined;

    server.connection.acquire(node.id);
    life.add(() => server.connection.release(node.id, life.removed));

    const errorMsg = (): Record<string, unknown> => ({
      ...(origin ?? {}),
      topic: camera || origin?.topic,
      motif: { camera: camera || 'first', stream: settings.kind, server: server.address },
    });
    const report = (error: RecorderError): void => {
      // One report per distinct failure: a retry loop must not flood the debug sidebar.
      if (reported === error.message) return;
      reported = error.message;
      node.error(error.message, errorMsg());
    };

    const stream = new MotifStream({
      kind: settings.kind,
      flow: settings.flow,
      stallMs: settings.stallMs,
      maxMessageBytes: settings.maxMessageBytes,
      resolve: async (signal) => {
        try {
          const endpoint = await resolveStreamEndpoint(server.connection.client(), {
            kind: settings.kind,
            serial: camera,
            hostOverride: settings.hostOverride,
            apiHost,
            signal,
          });
          server.connection.reportSuccess();
          return endpoint;
        } catch (err) {
          const error = toRecorderError(err);
          if (!signal.aborted) {
            if (CONNECTION_CODES.has(error.code)) server.connection.reportFailure(error);
            report(error);
          }
          throw error;
        }
      },
      deliver: (item: MotifStreamItem) => {
        const ctx: MessageContext = {
          camera:
            item.kind === 'image' ? String(item.frame.metadata.serial ?? currentSerial()) : currentSerial(),
          server: server.address,
          encoding: settings.encoding,
          quality: settings.quality,
          dropped: stream.stats.dropped,
        };
        if (!needsEncoding(item, settings.encoding)) {
          node.send(buildMessage(item, ctx));
          return;
        }
        return encodedMessage(item, ctx).then((msg) => node.send(msg));
      },
    });
    const currentSerial = (): string => stream.status.endpoint?.serial ?? camera;
    life.add(() => stream.close());
    stream.on('deliveryError', (err: unknown) => node.error(toRecorderError(err).message, errorMsg()));
    let warnedBad = false;
    stream.on('bad', (err: RecorderError) => {
      if (warnedBad) return;
      warnedBad = true;
      node.warn(`motif ${settings.kind} stream: ${err.message} (further bad messages are only counted)`);
    });

    const show = (s: MotifStreamStatus = stream.status): void => {
      switch (s.phase) {
        case 'stopped':
          return view.set('idle', t('motif-stream.status.stopped'));
        case 'resolving':
          return view.set('connecting', t('recorders.status.connecting'));
        case 'waiting':
          return view.set('connecting', t('motif-stream.status.waiting'));
        case 'stalled':
          return view.set('warning', t('motif-stream.status.stalled'));
        case 'halted': {
          const reason = s.error?.statusText ?? t('recorders.status.error');
          return view.set('error', t('motif-stream.status.halted', { reason }));
        }
        case 'retrying': {
          const reason = s.error?.statusText ?? t('recorders.status.error');
          const kind = s.error && CONNECTION_CODES.has(s.error.code) ? 'disconnected' : 'error';
          return view.set(kind, t('motif-stream.status.retrying', { reason }));
        }
        case 'streaming': {
          reported = undefined;
          const stats = stream.stats;
          const rate = stats.rate.toFixed(1);
          const text =
            settings.kind === 'image'
              ? t('motif-stream.status.rate', { rate, dropped: stats.dropped })
              : t('motif-stream.status.stateRate', { rate });
          // Undecodable messages are counted where the user looks, not only warned about once.
          return view.set(
            stats.bad > 0 ? 'warning' : 'active',
            stats.bad > 0 ? `${text}, ${t('motif-stream.status.bad', { bad: stats.bad })}` : text,
          );
        }
      }
    };
    stream.on('status', (s: MotifStreamStatus) => show(s));
    life.setInterval(() => {
      if (stream.status.phase === 'streaming') show();
    }, 1000);

    onInput(node, async (msg) => {
      const action = msg.action;
      if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action))
        throw new InputError('msg.action must be "start", "stop" or "restart"');
      if (msg.camera !== undefined) {
        if (typeof msg.camera !== 'string')
          throw new InputError('msg.camera must be a camera serial (string)');
        if (action !== 'stop') camera = msg.camera.trim();
      }
      switch (action as Action) {
        case 'start':
          origin = msg;
          if (msg.camera !== undefined && stream.running) await stream.restart();
          else stream.start();
          break;
        case 'stop':
          await stream.stop();
          break;
        case 'restart':
          origin = msg;
          reported = undefined;
          await stream.restart();
          break;
      }
    });

    show();
    if (settings.autoStart) stream.start();
  });
}
