/** The editor's expression preview (words + next firings), behind Node-RED's permission check. */
import type { RED } from '../../common/node-red';
import { previewFromQuery } from './preview';

/** Called from a node module's init, each time the runtime starts. */
export function registerSchedulePreview(RED: RED, path: string, permission: string): void {
  RED.httpAdmin.get(path, RED.auth.needsPermission(permission), (req, res) => {
    res.json(previewFromQuery(req.query as Record<string, unknown>));
  });
}
