/**
 * The editor's look-ups (Node-RED admin routes), written once: behind Node-RED's permission check,
 * and always answered in JSON, failures included (`{error}` with a short, redacted text, never an
 * HTML stack trace). A handler returns the answer or throws; `NotDeployed` answers 404.
 */
import { toRecorderError } from '../common/errors';
import type { RED, ServerNode } from './node-red';
import { previewFromQuery } from '../schedule';
import type { ServerType } from './use-server';

const MAX_ERROR = 200;

/** The id names no deployed node of the wanted type: the editor asks the user to deploy first. */
export class NotDeployed extends Error {}

function clip(text: string): string {
  return text.length > MAX_ERROR ? `${text.slice(0, MAX_ERROR - 1)}…` : text;
}

type Query = Record<string, unknown>;
type Params = Record<string, string>;

export function adminRoute(
  RED: RED,
  path: string,
  permission: string,
  answer: (params: Params, query: Query) => unknown,
): void {
  RED.httpAdmin.get(path, RED.auth.needsPermission(permission), (req, res) => {
    const fail = (err: unknown): void => {
      if (err instanceof NotDeployed) res.status(404).json({ error: clip(err.message) });
      else res.status(502).json({ error: clip(toRecorderError(err).message) });
    };
    try {
      Promise.resolve(answer(req.params as Params, req.query as Query)).then((body) => res.json(body), fail);
    } catch (err) {
      // Whatever throws at once (a node in a strange state) is still an answer the editor can show.
      fail(err);
    }
  });
}

/** The deployed config node of `type` with this id, or NotDeployed. */
export function deployedServer<C>(RED: RED, id: string | undefined, type: ServerType): ServerNode<C> {
  const found = id ? (RED.nodes.getNode(String(id)) as unknown as ServerNode<C> | null) : null;
  if (!found || found.type !== type || !found.connection)
    throw new NotDeployed(`no deployed ${type} with this id: deploy it first`);
  return found;
}

/** The admin apps the preview is registered on: once each, whichever schedule node loads first. */
const previewApps = new WeakSet<object>();

/**
 * The one schedule preview (the next firings of an expression as the editor types it), for every
 * schedule node's editor: `GET recorders/schedule/preview?expression=…&timeZone=…`.
 */
export function schedulePreviewRoute(RED: RED): void {
  if (previewApps.has(RED.httpAdmin)) return;
  previewApps.add(RED.httpAdmin);
  adminRoute(RED, '/recorders/schedule/preview', 'recorders.read', (_params, query) =>
    previewFromQuery(query),
  );
}
