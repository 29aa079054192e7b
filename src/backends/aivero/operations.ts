/**
 * The Aivero operations as one table: what each one asks of the client, and what its outcome says
 * (the session it was about, the state written, warnings, a status word). Waiting for a state after
 * a write is part of the operation, on the client's shared live query. aivero-action plans an
 * operation from its fields and a message; everything after that is here.
 */
import type { JsonObject } from '../../common/input';
import type { AiveroClient, CallOptions } from './client';
import type { ReachedState } from './waiters';

export const AIVERO_OPERATION_GROUPS = {
  Cameras: ['findCamera', 'listCameras'],
  Sessions: ['createSession', 'getSession', 'listSessions', 'deleteSession'],
  State: ['setState'],
} as const;

export type AiveroOperation = (typeof AIVERO_OPERATION_GROUPS)[keyof typeof AIVERO_OPERATION_GROUPS][number];
export const AIVERO_OPERATIONS: readonly AiveroOperation[] = Object.values(AIVERO_OPERATION_GROUPS).flat();

export type AiveroCall =
  | { operation: 'findCamera'; camera: { model: string; serial: string } }
  | { operation: 'listCameras' }
  | { operation: 'createSession'; spec: JsonObject }
  | { operation: 'getSession' | 'deleteSession'; session: string }
  | { operation: 'listSessions'; state?: string; name?: string; limit?: number }
  /** acceptAlready: a session already in `state` is answered as done (`already`), nothing written. */
  | { operation: 'setState'; session: string; state: string; acceptAlready?: boolean };

/** After a write, wait until the session is in this state (the one written when empty). */
export interface AfterWrite {
  state: string;
  timeoutMs: number;
}

export interface AiveroOutcome {
  result: unknown;
  /** The session the call was about, for chaining into the next aivero node. */
  session?: string;
  /** The state written or read. */
  state?: string;
  warnings?: string[];
  /** The state waited for and reached, when asked to wait. */
  reached?: ReachedState;
  /** The session was already in the state asked for; nothing was written. */
  already?: boolean;
  /** The outcome in a word or two, for a status: `Started`, `3 sessions`. */
  summary: string;
}

async function perform(client: AiveroClient, call: AiveroCall, options: CallOptions): Promise<AiveroOutcome> {
  switch (call.operation) {
    case 'findCamera': {
      const camera = await client.findCamera(call.camera.model, call.camera.serial, options);
      return { result: camera, summary: 'found' };
    }
    case 'listCameras': {
      const cameras = await client.listCameras(options);
      return { result: cameras, summary: `${cameras.length} cameras` };
    }
    case 'createSession': {
      const created = await client.createSession(call.spec, options);
      return {
        result: created,
        session: created.sessionId,
        state: created.state,
        warnings: created.warnings,
        summary: created.state,
      };
    }
    case 'getSession': {
      const session = await client.getSession(call.session, options);
      return {
        result: session,
        session: session.id,
        state: String(session.state),
        summary: String(session.state),
      };
    }
    case 'listSessions': {
      const sessions = await client.listSessions({
        ...options,
        state: call.state,
        name: call.name,
        limit: call.limit,
      });
      return { result: sessions, summary: `${sessions.length} sessions` };
    }
    case 'deleteSession': {
      const deleted = await client.deleteSession(call.session, options);
      return { result: deleted, session: deleted.id, summary: 'deleted' };
    }
    case 'setState': {
      if (call.acceptAlready) {
        const current = await client.sessionState(call.session, options);
        if (current.state === call.state)
          return {
            result: current,
            session: current.id,
            state: current.state,
            already: true,
            summary: current.state,
          };
      }
      const set = await client.setState(call.session, call.state, options);
      return { result: set, session: set.id, state: set.state, summary: set.state };
    }
  }
}

/** Whether an operation writes a state that can be waited for. */
export function canWaitAfter(operation: AiveroOperation): boolean {
  return operation === 'setState' || operation === 'createSession';
}

/**
 * Runs one operation; with `wait`, a state write then waits until the session reaches the wanted
 * state (every wait of a client shares one live query). `waiting` is told when the wait begins.
 */
export async function runAiveroOperation(
  client: AiveroClient,
  call: AiveroCall,
  options: CallOptions & { wait?: AfterWrite; waiting?: (state: string) => void },
): Promise<AiveroOutcome> {
  const outcome = await perform(client, call, { signal: options.signal });
  const target =
    options.wait && canWaitAfter(call.operation) ? options.wait.state || outcome.state : undefined;
  if (target && outcome.session) {
    options.waiting?.(target);
    outcome.reached = await client.waitForState(outcome.session, target, {
      timeoutMs: options.wait?.timeoutMs ?? 30_000,
      signal: options.signal,
    });
    outcome.summary = outcome.reached.state;
  }
  return outcome;
}
