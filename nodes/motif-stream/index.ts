/**
 * motif-stream: a camera's realtime image or state stream as messages, with a backpressure mode,
 * stall recovery and start/stop/restart control. Thin glue: `backends/motif/stream.ts` owns the
 * ZeroMQ socket and the policy, `fields.ts` reads the settings, `message.ts` shapes messages; the
 * server's connection watches the stream (a rejected key halts it instead of retrying) and the
 * layered status shows connection, standing warning and the stream's own state.
 */
import {
  MotifStream,
  resolveStreamEndpoint,
  type MotifClient,
  type MotifStreamItem,
  type MotifStreamStatus,
} from '../../src/backends/motif';
import { InputError, isConnectionLevel, toRecorderError, type RecorderError } from '../../src/common/errors';
import type { Msg } from '../../src/kit/node-red';
import { defineStreamNode } from '../../src/kit/stream-node';
import { FIELDS, hostOfAddress, readStreamSettings } from './fields';
import { buildMessage, encodedMessage, needsEncoding, type MessageContext } from './message';

export default defineStreamNode<typeof FIELDS, MotifClient>({
  type: 'motif-stream',
  fields: FIELDS,
  server: { field: 'server', type: 'motif-server' },
  autoStart: (ctx) => ctx.values.autoStart,
  open: (ctx, served, emit) => {
    const { node, t } = ctx;
    const settings = readStreamSettings(ctx.config);
    const { server, status } = served;
    const apiHost = hostOfAddress(server.address);
    let camera = settings.camera;
    /** The control message that started the stream: errors reach Catch nodes with it. */
    let origin: Msg | undefined;
    let reported: string | undefined;

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
      resolve: (signal) =>
        server.connection.run((client) =>
          resolveStreamEndpoint(client, {
            kind: settings.kind,
            serial: camera,
            hostOverride: settings.hostOverride,
            apiHost,
            signal,
          }),
        ),
      deliver: (item: MotifStreamItem) => {
        const ctx: MessageContext = {
          camera:
            item.kind === 'image' ? String(item.frame.metadata.serial ?? currentSerial()) : currentSerial(),
          server: server.address,
          encoding: settings.encoding,
          quality: settings.quality,
          dataUrl: settings.dataUrl,
          dropped: stream.dropped,
        };
        if (!needsEncoding(item, settings.encoding)) {
          emit(buildMessage(item, ctx));
          return;
        }
        return encodedMessage(item, ctx).then((msg) => emit(msg));
      },
    });
    // Per frame: read the endpoint directly (`status` copies an object each time).
    const currentSerial = (): string => stream.endpoint?.serial ?? camera;
    ctx.life.add(() => stream.close());
    ctx.life.add(server.connection.watch(stream));
    stream.on('failure', (err: unknown) => report(toRecorderError(err)));
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
          return status.set('idle', t('motif-stream.status.stopped'));
        case 'resolving':
          return status.set('connecting', t('recorders.status.connecting'));
        case 'waiting':
          return status.set('connecting', t('motif-stream.status.waiting'));
        case 'stalled':
          return status.set('warning', t('motif-stream.status.stalled'));
        case 'retrying':
        case 'halted': {
          const error = s.error;
          // The connection layer says "unreachable, retrying" / "auth failed" for all its nodes.
          if (error && isConnectionLevel(error)) return status.fail(error);
          const reason = error?.statusText ?? t('recorders.status.error');
          return status.set('error', t(`motif-stream.status.${s.phase}`, { reason }));
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
          if (stats.bad === 0) return status.set('active', text);
          return status.set('warning', `${text}, ${t('motif-stream.status.bad', { bad: stats.bad })}`);
        }
      }
    };
    stream.on('status', (s: MotifStreamStatus) => show(s));
    ctx.life.setInterval(() => {
      if (stream.status.phase === 'streaming') show();
    }, 1000);
    show();

    /** The camera a start names: only a node set to "first camera / from msg" follows msg.camera. */
    const follow = (msg: Msg | undefined): boolean => {
      if (!msg || msg.camera === undefined || settings.camera) return false;
      if (typeof msg.camera !== 'string' || msg.camera.length > 128)
        throw new InputError('msg.camera must be a camera serial (text)', 'msg.camera');
      const named = msg.camera.trim();
      // The camera already streaming: nothing to move to.
      if (named === camera) return false;
      camera = named;
      return true;
    };
    return {
      start: async (msg) => {
        const moved = follow(msg);
        if (msg) origin = msg;
        if (moved && stream.running) await stream.restart();
        else stream.start();
      },
      stop: () => stream.stop(),
      restart: async (msg) => {
        follow(msg);
        if (msg) origin = msg;
        reported = undefined;
        await stream.restart();
      },
      state: () => stream.status.phase,
    };
  },
});
