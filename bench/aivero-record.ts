/**
 * The Aivero recording the benchmarks create sessions with: the seeded RealSense D435 of the
 * simulator, one 720p colour stream at 30 fps (a session's content does not change what is timed).
 */
export const COLOR_RECORD = {
  camera: { model: 'REALSENSE_D435', serial: '935322071234' },
  streams: [
    {
      type: 'color',
      alignTo: 'color',
      encoder: 'HEVC',
      width: 1280,
      height: 720,
      nearCut: 300,
      farCut: 1000,
      bitrate: 1000000,
      frameRate: 30,
    },
  ],
};
