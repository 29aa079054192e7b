/**
 * The node kit's action nodes (motif-action, aivero-action, remotive-playback): one message, one
 * planned call, performed on the server's shared client through the connection's call bracket.
 * The kit owns the rest: the override rule (`resolveInput`), the abort signal, the activity status,
 * `done`/`done(err)` with the original msg, and the metadata every result carries in
 * `msg.<backend>` (operation, the server's address under the server field's name, durationMs, plus
 * what the node adds).
 */
import type { FieldTable, FieldValues } from './fields';
import { resolveInput } from './fields';
import { onInput, type Msg, type RED, type Send } from './node-red';
import { CommandMemory, commandKey, copyForRepeat, type CommandOutcome } from './command-ids';
import type { StatusKind } from './status';
import { Activity } from './activity';
import { defineNode, type NodeContext } from './define-node';
import type { Migration } from './migrations';
import { useServer, type Served, type ServerType } from './use-server';

/** What `perform` may do beside calling: say it is now waiting (shown at once). */
export interface CallContext {
  signal: AbortSignal;
  waiting(text: string): void;
}

/** What a finished call puts on the message and the status. */
export interface Reply {
  payload: unknown;
  /** Added to msg.<backend> after operation and server. */
  meta?: Record<string, unknown>;
  /** Other message properties (msg.session for chaining). */
  props?: Record<string, unknown>;
  /** The status afterwards: its text, and its kind (connected unless said). */
  status: string;
  statusKind?: StatusKind;
}

export interface ActionDefinition<T extends FieldTable, C, P, R, S> {
  type: string;
  fields: T;
  /** The field holding the config node, and that node's type. */
  server: { field: keyof T & string; type: ServerType };
  /** The message property for the call's metadata: msg.motif, msg.aivero, msg.remotive. */
  meta: string;
  migrations?: readonly Migration[];
  admin?: (RED: RED) => void;
  /** Checks of the configuration beyond the table, once per deploy; its result is the node's state. */
  prepare?(ctx: NodeContext<T>, served: Served<C>): S;
  /** What the fields resolve against (default: the message itself). */
  input?(msg: Msg): Readonly<Record<string, unknown>>;
  /** One message's call from the resolved values; throws InputError before anything is sent. */
  plan(values: FieldValues<T>, msg: Msg, state: S): P;
  /** The operation's name for msg.<backend>.operation. */
  operation(plan: P): string;
  perform(client: C, plan: P, call: CallContext, state: S): Promise<R>;
  /**
   * The call as a user reads it (`play "drive/a.recordingsession.yaml"`), for the error of a call
   * the connection did not send; the operation's name when not given.
   */
  describe?(plan: P): string;
  reply(plan: P, result: R, state: S): Reply;
}

/** What one command's reply put on its message; remembered for repeats of its command id. */
interface Answer {
  payload: unknown;
  props: Record<string, unknown>;
  meta: Record<string, unknown>;
}

/**
 * A message with an MQTT v5 response topic (from a core `mqtt in` node) is answered there: its
 * command topic is taken off, so a core `mqtt out` node with no topic of its own publishes the reply
 * (or, after a Catch node, the error) to `msg.responseTopic` with the same `msg.correlationData`.
 */
function answerOnResponseTopic(msg: Msg): void {
  let responseTopic: unknown;
  try {
    responseTopic = msg.responseTopic;
  } catch {
    return;
  }
  if (typeof responseTopic === 'string' && responseTopic !== '') delete msg.topic;
}

export function defineActionNode<T extends FieldTable, C, P, R, S = undefined>(
  def: ActionDefinition<T, C, P, R, S>,
): ReturnType<typeof defineNode> {
  return defineNode<T>({
    type: def.type,
    fields: def.fields,
    migrations: def.migrations,
    admin: def.admin,
    setup: (ctx) => {
      const served = useServer<T, C>(ctx, def.server.field, def.server.type);
      const { server, signal } = served;
      const state = def.prepare ? def.prepare(ctx, served) : (undefined as S);
      const activity = new Activity(served.status, ctx.t('recorders.status.busy'));
      ctx.life.add(() => activity.dispose());
      const configured = ctx.values;
      const call: CallContext = { signal, waiting: (text) => activity.waiting(text) };

      const memory = new CommandMemory();
      ctx.life.add(() => memory.clear());

      /** Plans and performs one command; what its reply puts on the message. */
      const execute = async (msg: Msg): Promise<Answer> => {
        const plan = def.plan(
          resolveInput(def.fields, configured, def.input ? def.input(msg) : msg),
          msg,
          state,
        );
        const started = performance.now();
        activity.begin(Date.now());
        let result: R;
        try {
          // Named, so a call the connection does not send (latched) says which call it was.
          result = await server.connection.run(
            (client) => def.perform(client, plan, call, state),
            def.describe ? def.describe(plan) : def.operation(plan),
          );
        } catch (err) {
          activity.abandon();
          throw err;
        }
        const reply = def.reply(plan, result, state);
        // The server is named as the node's field names it: msg.motif.server, msg.remotive.broker.
        const meta: Record<string, unknown> = {
          operation: def.operation(plan),
          [def.server.field]: server.address,
        };
        if (reply.meta) for (const key of Object.keys(reply.meta)) meta[key] = reply.meta[key];
        meta.durationMs = Math.round((performance.now() - started) * 10) / 10;
        activity.end(reply.status, reply.statusKind);
        return { payload: reply.payload, props: reply.props ?? {}, meta };
      };

      const answer = (msg: Msg, send: Send, reply: Answer): void => {
        msg.payload = reply.payload;
        for (const key of Object.keys(reply.props)) msg[key] = reply.props[key];
        msg[def.meta] = reply.meta;
        answerOnResponseTopic(msg);
        send(msg);
      };

      const handle = async (msg: Msg, send: Send): Promise<void> => {
        const key = commandKey(msg);
        if (key === undefined) {
          answer(msg, send, await execute(msg));
          return;
        }
        const earlier = memory.recall(key);
        if (earlier) {
          const outcome = await earlier;
          if (!outcome.ok) {
            msg[def.meta] = { repeated: true };
            throw outcome.error;
          }
          answer(msg, send, {
            payload: copyForRepeat(outcome.payload),
            props: copyForRepeat(outcome.props),
            meta: { ...copyForRepeat(outcome.meta), repeated: true },
          });
          return;
        }
        const running = execute(msg);
        memory.remember(
          key,
          running.then(
            (reply): CommandOutcome => ({ ok: true, ...copyForRepeat(reply) }),
            (error: unknown): CommandOutcome => ({ ok: false, error }),
          ),
        );
        answer(msg, send, await running);
      };

      onInput(
        ctx.node,
        async (msg, send) => {
          try {
            await handle(msg, send);
          } catch (err) {
            // An error reaches a Catch node with the message, ready for the same mqtt out node.
            answerOnResponseTopic(msg);
            throw err;
          }
        },
        (error) => activity.fail(error),
      );
    },
  });
}
