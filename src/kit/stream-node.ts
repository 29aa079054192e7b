/**
 * The node kit's stream nodes (motif-stream, remotive-status, remotive-signals, aivero-watch): a
 * stream from the server's shared client as messages on output 1, controlled by one vocabulary.
 *
 * `msg.action`: `start` (begin; while running, follow a new target the message names; a message
 * without `action` means start), `stop`
 * (end, until the next start or a redeploy), `restart` (end and begin again: a halted stream, a
 * rejected credential that has been fixed on the server). Every control message is answered on
 * output 2 with the original msg, `payload` = `{action, state}` (the stream's state afterwards),
 * or with a catchable error. What the stream is and how it shows is the node's own.
 */
import { InputError, toRecorderError } from '../common/errors';
import type { FieldTable } from './fields';
import { describe } from '../common/input';
import { onInput, type Msg, type OutMsg, type RED } from './node-red';
import { defineNode, type NodeContext } from './define-node';
import type { Migration } from './migrations';
import { useServer, type Served, type ServerType } from './use-server';

export const STREAM_ACTIONS = ['start', 'stop', 'restart'] as const;
export type StreamAction = (typeof STREAM_ACTIONS)[number];

/** What the node does on each control message; `msg` is the control message (undefined at deploy). */
export interface StreamControl {
  start(msg: Msg | undefined): void | Promise<void>;
  stop(): void | Promise<void>;
  restart(msg: Msg | undefined): void | Promise<void>;
  /** The stream's state in a word, for the answer: streaming, stopped, connecting, stalled, … */
  state(): string;
}

export interface StreamDefinition<T extends FieldTable, C> {
  type: string;
  fields: T;
  server: { field: keyof T & string; type: ServerType };
  migrations?: readonly Migration[];
  admin?: (RED: RED) => void;
  /**
   * Sets the stream up (nothing is opened yet); `emit` sends a message (or several) on output 1. A throw is a
   * configuration error: the node shows it and answers every message with it.
   */
  open(ctx: NodeContext<T>, served: Served<C>, emit: (msg: OutMsg | OutMsg[]) => void): StreamControl;
  /** Whether the stream starts on deploy (default: yes). */
  autoStart?(ctx: NodeContext<T>): boolean;
}

function isAction(value: unknown): value is StreamAction {
  return typeof value === 'string' && (STREAM_ACTIONS as readonly string[]).includes(value);
}

export function defineStreamNode<T extends FieldTable, C>(
  def: StreamDefinition<T, C>,
): ReturnType<typeof defineNode> {
  return defineNode<T>({
    type: def.type,
    fields: def.fields,
    migrations: def.migrations,
    admin: def.admin,
    setup: (ctx) => {
      const served = useServer<T, C>(ctx, def.server.field, def.server.type);
      // Several messages at once (a batch of signals) go out as one send.
      const emit = (msg: OutMsg | OutMsg[]): void => ctx.node.send([msg, null]);
      const control = def.open(ctx, served, emit);
      ctx.life.add(() => control.stop());

      onInput(ctx.node, async (msg, send) => {
        const action = msg.action ?? 'start';
        if (!isAction(action))
          throw new InputError(
            `msg.action must be "start", "stop" or "restart", got ${describe(action)}`,
            'msg.action',
          );
        if (action === 'stop') await control.stop();
        else await control[action](msg);
        msg.payload = { action, state: control.state() };
        send([null, msg]);
      });

      if (def.autoStart?.(ctx) ?? true) {
        // A stream that can not start at deploy says so where the user looks, like any failure.
        Promise.resolve()
          .then(() => control.start(undefined))
          .catch((err: unknown) => {
            const error = toRecorderError(err);
            served.status.fail(error);
            ctx.node.error(error.message);
          });
      }
    },
  });
}
