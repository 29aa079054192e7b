/**
 * Editor look-ups for motif nodes, behind Node-RED's permission checks: the operation catalogue
 * (so the editor's grouped list is the runtime's own table, with which node field feeds each path
 * parameter and whether "wait until done" applies) and the cameras of a deployed server. Every
 * answer is JSON, failures included: `{ error }` with a short message, never an HTML stack trace.
 */
import { MOTIF_ENDPOINTS, type MotifClient, type MotifEndpoint } from '../../src/backends/motif';
import type { RED } from '../../src/kit/node-red';
import { adminRoute, deployedServer } from '../../src/kit/admin';
import { pathParamSource, waitKindFor } from './request';

/** One path parameter of an operation and the motif-action field (and msg property) that fills it. */
export interface OperationField {
  param: string;
  field: string;
  label: string;
}

/** An operation as the editor gets it: the endpoint plus what the editor must not re-derive. */
export type OperationInfo = MotifEndpoint & {
  fields: OperationField[];
  waitable: boolean;
  wait: string | null;
  /** Every motif-action field this operation reads besides the server (the editor shows only these). */
  uses: string[];
};

export function operationCatalogue(): OperationInfo[] {
  return MOTIF_ENDPOINTS.map((endpoint) => {
    const wait = waitKindFor(endpoint) ?? null;
    const fields = endpoint.pathParams.map((param) => {
      const source = pathParamSource(endpoint, param);
      return { param, field: source.prop, label: source.label };
    });
    const takesArgs = endpoint.args.length > 0 || endpoint.freeArgs;
    return {
      ...endpoint,
      fields,
      waitable: wait !== null,
      wait,
      uses: [
        ...fields.map((f) => f.field),
        ...(takesArgs ? ['args', 'payloadArgs'] : []),
        ...(wait !== null ? ['wait', 'waitTimeout'] : []),
      ],
    };
  });
}

/** Called once per runtime start, from the node module's init. */
export function registerMotifAdmin(RED: RED): void {
  const catalogue = operationCatalogue();
  adminRoute(RED, '/recorders/motif/operations', 'motif-action.read', () => catalogue);
  adminRoute(RED, '/recorders/motif/:id/cameras', 'motif-action.read', async ({ id }) => {
    const server = deployedServer<MotifClient>(RED, id, 'motif-server');
    // Through the call bracket: the outcome is recorded and the error redacted like any call.
    const cameras = await server.connection.run((client) => client.cameras());
    return cameras.map((c) => c.serial);
  });
}
