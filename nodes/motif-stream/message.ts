/**
 * Stream items → Node-RED messages. Image: pixels (or JPEG/PNG) in `msg.payload`, what describes
 * them in `msg.image`. State: the decoded object in `msg.payload`. Both carry `msg.motif`.
 */
import { encodeFrame, type FrameEncoding, type MotifStreamItem } from '../../src/backends/motif';

export interface MessageContext {
  camera: string;
  server: string;
  encoding: FrameEncoding;
  quality: number;
  /** Encoded frames as data URL text. */
  dataUrl: boolean;
  /** Frames the node discarded so far (backpressure). */
  dropped: number;
}

const MIME: Record<FrameEncoding, string> = {
  raw: 'application/octet-stream',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

/** The message for an item whose payload is ready (state, raw frames, or an encoded frame). */
export function buildMessage(
  item: MotifStreamItem,
  ctx: MessageContext,
  encoded?: Buffer,
): Record<string, unknown> {
  // Object literals with every field set at once (no spreads, no conditional keys): one hidden class
  // per message shape, which keeps an every-frame flood out of V8's slow paths and full GCs.
  if (item.kind === 'state') {
    return {
      topic: ctx.camera,
      payload: item.message.state,
      motif: {
        camera: ctx.camera,
        stream: item.kind,
        server: ctx.server,
        receivedAt: item.receivedAt,
        topic: item.message.topic,
      },
    };
  }
  const f = item.frame;
  const encoding = encoded ? ctx.encoding : 'raw';
  const image: Record<string, unknown> = {
    dtype: f.dtype,
    shape: f.shape,
    width: f.width,
    height: f.height,
    channels: f.channels,
    encoding,
    mimetype: MIME[encoding],
    metadata: f.metadata,
  };
  if (f.timestamp !== undefined) image.timestamp = f.timestamp;
  if (f.frameNumber !== undefined) image.frameNumber = f.frameNumber;
  return {
    topic: ctx.camera,
    payload: encoded ? (ctx.dataUrl ? dataUrl(MIME[encoding], encoded) : encoded) : f.data,
    image,
    motif: {
      camera: ctx.camera,
      stream: item.kind,
      server: ctx.server,
      receivedAt: item.receivedAt,
      dropped: ctx.dropped,
    },
  };
}

function dataUrl(mimetype: string, bytes: Buffer): string {
  return `data:${mimetype};base64,${bytes.toString('base64')}`;
}

/** Whether building the message needs the (asynchronous) encoder. */
export function needsEncoding(item: MotifStreamItem, encoding: FrameEncoding): boolean {
  return item.kind === 'image' && encoding !== 'raw';
}

export async function encodedMessage(
  item: MotifStreamItem,
  ctx: MessageContext,
): Promise<Record<string, unknown>> {
  if (item.kind !== 'image' || ctx.encoding === 'raw') return buildMessage(item, ctx);
  const encoded = await encodeFrame(item.frame, { format: ctx.encoding, quality: ctx.quality });
  return buildMessage(item, ctx, encoded);
}
