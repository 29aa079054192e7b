/**
 * What Aivero's RealSense GStreamer pipeline supports (vendor documentation). The database accepts more
 * than the camera can do, so these are warnings for the user, never a refusal.
 */
export interface StreamParameters {
  type: string;
  alignTo: string;
  encoder: string;
  width: number;
  height: number;
  nearCut: number;
  farCut: number;
  bitrate: number;
  frameRate: number;
}

export const REALSENSE_FRAME_RATES: readonly number[] = [6, 15, 30, 60, 90];
export const REALSENSE_DEPTH_RESOLUTIONS: readonly (readonly [number, number])[] = [
  [424, 240],
  [480, 270],
  [640, 360],
  [640, 480],
  [848, 480],
  [1280, 720],
];
export const REALSENSE_COLOR_RESOLUTIONS: readonly (readonly [number, number])[] = [
  [320, 180],
  [320, 240],
  [424, 240],
  [640, 360],
  [640, 480],
  [848, 480],
  [960, 540],
  [1280, 720],
  [1920, 1080],
];
/** `align-to` targets that work; `none` means no alignment. */
export const REALSENSE_ALIGN_TARGETS: readonly string[] = ['none', 'color', 'depth'];
export const CUT_MAX = 65535;

const has = (list: readonly (readonly [number, number])[], w: number, h: number): boolean =>
  list.some(([lw, lh]) => lw === w && lh === h);
const modes = (list: readonly (readonly [number, number])[]): string =>
  list.map(([w, h]) => `${w}x${h}`).join(', ');

/** Warnings for one stream. `where` prefixes each, e.g. `camera 1 stream 2`. */
export function streamWarnings(stream: StreamParameters, where: string): string[] {
  const out: string[] = [];
  const { type, width, height } = stream;
  if (!REALSENSE_FRAME_RATES.includes(stream.frameRate))
    out.push(`${where}: frame rate ${stream.frameRate} is not one of ${REALSENSE_FRAME_RATES.join(', ')}`);
  if (type === 'color' && !has(REALSENSE_COLOR_RESOLUTIONS, width, height))
    out.push(
      `${where}: color ${width}x${height} is not a RealSense color mode (${modes(REALSENSE_COLOR_RESOLUTIONS)})`,
    );
  if (type !== 'color' && !has(REALSENSE_DEPTH_RESOLUTIONS, width, height))
    out.push(
      `${where}: ${type} ${width}x${height} is not a RealSense depth/infrared mode (${modes(REALSENSE_DEPTH_RESOLUTIONS)})`,
    );
  if (!REALSENSE_ALIGN_TARGETS.includes(stream.alignTo))
    out.push(
      `${where}: align-to "${stream.alignTo.slice(0, 40)}" is not a working target (${REALSENSE_ALIGN_TARGETS.join(', ')})`,
    );
  else if (type.startsWith('infra') && stream.alignTo === 'color')
    out.push(`${where}: an infrared stream cannot be aligned to color`);
  for (const [name, value] of [
    ['near cut', stream.nearCut],
    ['far cut', stream.farCut],
  ] as const)
    if (value < 0 || value > CUT_MAX) out.push(`${where}: ${name} ${value} is outside 0-${CUT_MAX}`);
  if (stream.nearCut >= stream.farCut)
    out.push(
      `${where}: near cut ${stream.nearCut} is not below far cut ${stream.farCut}: every depth pixel becomes 0`,
    );
  if (stream.bitrate <= 0) out.push(`${where}: bitrate ${stream.bitrate} is not positive`);
  return out;
}

/** Camera-wide rules: one frame rate for all streams, one resolution for depth and infrared. */
export function cameraWarnings(streams: readonly StreamParameters[], where: string): string[] {
  const out: string[] = [];
  const rates = [...new Set(streams.map((s) => s.frameRate))];
  if (rates.length > 1)
    out.push(`${where}: streams use different frame rates (${rates.join(', ')}); a camera runs one`);
  const depthModes = [
    ...new Set(streams.filter((s) => s.type !== 'color').map((s) => `${s.width}x${s.height}`)),
  ];
  if (depthModes.length > 1)
    out.push(
      `${where}: depth and infrared streams use different resolutions (${depthModes.join(', ')}); they share one`,
    );
  const types = streams.map((s) => s.type);
  const twice = types.filter((t, i) => types.indexOf(t) !== i);
  if (twice.length > 0)
    out.push(`${where}: stream type ${[...new Set(twice)].join(', ')} appears more than once`);
  return out;
}
