/**
 * Editor look-up for the session builder, behind Node-RED's permission check: the values its
 * dropdowns offer (camera models, stream types, encoders from the documented enums; RealSense
 * resolutions, frame rates and align targets), so the editor shows the backend's own tables.
 */
import {
  CUT_MAX,
  DOC_ENUMS,
  REALSENSE_ALIGN_TARGETS,
  REALSENSE_COLOR_RESOLUTIONS,
  REALSENSE_DEPTH_RESOLUTIONS,
  REALSENSE_FRAME_RATES,
} from '../../src/backends/aivero';
import type { RED } from '../../src/kit/node-red';

export function registerAiveroAdmin(RED: RED): void {
  RED.httpAdmin.get(
    '/recorders/aivero/values',
    RED.auth.needsPermission('aivero-action.read'),
    (_req, res) => {
      res.json({
        cameraModels: DOC_ENUMS.cameraModel,
        states: DOC_ENUMS.state,
        streamTypes: DOC_ENUMS.streamType,
        encoders: DOC_ENUMS.encoder,
        alignTargets: REALSENSE_ALIGN_TARGETS,
        colorResolutions: REALSENSE_COLOR_RESOLUTIONS.map(([w, h]) => `${w}x${h}`),
        depthResolutions: REALSENSE_DEPTH_RESOLUTIONS.map(([w, h]) => `${w}x${h}`),
        frameRates: REALSENSE_FRAME_RATES,
        cutMax: CUT_MAX,
      });
    },
  );
}
