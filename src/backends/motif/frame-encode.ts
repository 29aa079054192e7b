/**
 * JPEG / PNG encoding of decoded stream frames with sharp (libvips, off the event loop). Only
 * frames the backpressure policy let through reach this: encoding is the expensive step.
 */
import sharp from 'sharp';
import { InputError } from '../../common/errors';
import type { MotifImageFrame } from './stream-codec';

export type FrameEncoding = 'raw' | 'jpeg' | 'png';

export interface EncodeOptions {
  format: 'jpeg' | 'png';
  /** JPEG quality 1–100. Default 80. */
  quality?: number;
}

/**
 * 8-bit pixels for the encoder: uint8 as is; uint16 scaled to its high byte (little-endian, as
 * motif sends on x86), since browsers and most viewers show 8-bit images only.
 */
function eightBit(frame: MotifImageFrame): Buffer {
  if (frame.dtype === 'uint8') return frame.data;
  if (frame.dtype === 'uint16') {
    const out = Buffer.allocUnsafe(frame.data.length / 2);
    for (let i = 0, j = 1; i < out.length; i++, j += 2) out[i] = frame.data[j];
    return out;
  }
  throw new InputError(`frames of dtype ${frame.dtype} cannot be encoded as an image (uint8 or uint16 only)`);
}

export async function encodeFrame(frame: MotifImageFrame, options: EncodeOptions): Promise<Buffer> {
  if (frame.channels < 1 || frame.channels > 4)
    throw new InputError(`frames with ${frame.channels} channels cannot be encoded as an image`);
  const image = sharp(eightBit(frame), {
    raw: { width: frame.width, height: frame.height, channels: frame.channels as 1 | 2 | 3 | 4 },
  });
  return options.format === 'png'
    ? image.png({ compressionLevel: 3 }).toBuffer()
    : image.jpeg({ quality: Math.min(100, Math.max(1, Math.round(options.quality ?? 80))) }).toBuffer();
}
