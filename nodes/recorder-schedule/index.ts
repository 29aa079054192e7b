/**
 * recorder-schedule: local schedules in the motif cron dialect for any backend. Several named
 * schedules per node on one timer (`ScheduleTable`), controlled by messages (`commands.ts`),
 * dynamic schedules and paused state kept in a context store, relative schedules anchored by a
 * `start` message or by another schedule of the node (with a run time), so a protocol needs no
 * wiring loop. Output 1: firings; output 2: command replies; in leader mode output 3: the leadership
 * messages for a core `mqtt out` node (src/kit/leadership.ts).
 *
 * Messages are handled one after another, in order. The editor's list, a restore and the commands
 * of a message run in slices (`slices.ts`): a batch of 20,000 adds never holds the event loop for
 * more than a few milliseconds at a time, and a close between two slices stops it.
 */
import { bounded } from '../../src/common/bounded';
import { ClosedError, toRecorderError } from '../../src/common/errors';
import { schedulePreviewRoute } from '../../src/kit/admin';
import { defineNode } from '../../src/kit/define-node';
import { followLeader, fromLeaderTopic } from '../../src/kit/follow-leader';
import type { RoleChange } from '../../src/kit/leadership';
import { onInput, ownStatus, type Msg, type Send } from '../../src/kit/node-red';
import { previewExpression, shortWhen, type DstPolicy, type MissedPolicy } from '../../src/schedule';
import { readCommands, type Command } from './commands';
import { FIELDS } from './fields';
import { runSliced } from './slices';
import { checkStaticAnchors, staticDefinitions } from './static-list';
import { StateWriter } from './state-writer';
import { firedByInSaved } from './saved-state';
import { ScheduleTable, type Firing, type ScheduleDefinition } from './table';

/** Node-RED's node context, as far as we use it (callback forms work with every store). */
interface NodeContextStore {
  get(key: string, store: string | undefined, callback: (err: Error | null, value: unknown) => void): void;
  set(key: string, value: unknown, store: string | undefined, callback: (err: Error | null) => void): void;
}

/** Where a node's dynamic schedules and paused state live in the global context of the chosen store. */
export function persistKey(nodeId: string): string {
  return `recorder-schedule_${nodeId}`;
}
const STATUS_DELAY_MS = 200;
/** Longest wait for the store while closing (close must finish in bounded time). */
const CLOSE_WRITE_MS = 2000;

function iso(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

export default defineNode({
  type: 'recorder-schedule',
  fields: FIELDS,
  admin: schedulePreviewRoute,
  setup: (ctx) => {
    const { node, life, t, values: config, config: rawConfig } = ctx;
    const dst = config.dst as DstPolicy;
    const missed = config.missed as MissedPolicy;
    const status = ownStatus(node, life, t);
    // Leader mode adds the leadership output after the two others.
    const outputs = config.role === 'leader' ? 3 : 2;
    const store = config.store === 'none' ? null : config.store || undefined;
    // The global context, not the node's: Node-RED deletes a node's context on every redeploy
    // unless a context store is configured, and the key is removed when the node is deleted.
    const context = node.context().global as unknown as NodeContextStore;
    const key = persistKey(node.id);
    const save = (value: unknown): Promise<void> =>
      new Promise<void>((resolve) => {
        // In standby the active instance owns the saved state (a shared store holds one copy).
        if (store === null || table.standby) return resolve();
        context.set(key, value, store, (err) => {
          if (err) node.warn(`could not save the schedules: ${err.message}`);
          resolve();
        });
      });
    const writer = new StateWriter({ write: save, snapshot: () => table.snapshot() });
    // Last: a deleted node takes its saved state with it; otherwise the final state is stamped with
    // the stop time, so a firing due while Node-RED is down counts as missed after the restart.
    life.add(async () => {
      writer.stop();
      if (store === null) return;
      await bounded(writer.settled(), CLOSE_WRITE_MS);
      if (life.removed) await bounded(save(undefined), CLOSE_WRITE_MS);
      else if (started) await bounded(writer.flush(), CLOSE_WRITE_MS);
    });

    const payloadOf = (definition: ScheduleDefinition, firedAt: number): unknown => {
      if (!definition.payloadType) return structuredClone(definition.payload);
      if (definition.payloadType === 'date') return firedAt;
      return ctx.RED.util.evaluateNodeProperty(String(definition.payload), definition.payloadType, node, {});
    };

    const fire = (firing: Firing): void => {
      const { definition } = firing;
      // Leader mode: a leader that lost touch with the broker (its lease ran out) sends nothing; the
      // instance that takes over sends this firing by the missed-firing policy.
      if (leadership && !leadership.mayFire()) return statusSoon();
      try {
        // One literal, optional keys set afterwards: spreads per firing are a slow path in V8.
        const schedule: Record<string, unknown> = {
          name: definition.name,
          expression: definition.expression,
          relative: definition.relative,
          scheduledAt: firing.scheduledAt,
          firedAt: firing.firedAt,
          lateMs: firing.firedAt - firing.scheduledAt,
          count: firing.count,
          nextAt: firing.nextAt,
          next: iso(firing.nextAt),
          triggered: firing.triggered,
        };
        if (definition.anchor) schedule.anchor = definition.anchor;
        if (firing.catchUp) schedule.catchUp = true;
        const msg = { topic: definition.topic, payload: payloadOf(definition, firing.firedAt), schedule };
        // The leader's record goes out first: a crash between the two loses this firing rather
        // than having the standby send it again.
        if (!firing.triggered) leadership?.fired(table.lastFired() ?? firing.scheduledAt);
        node.send([msg, null]);
      } catch (err) {
        node.error(`schedule "${definition.name}": ${toRecorderError(err).message}`);
      }
      statusSoon();
    };

    const table = new ScheduleTable({
      onFire: fire,
      onPassed: () => statusSoon(),
      // Nothing to keep with the store set to none: no snapshot is ever taken.
      ...(store === null ? {} : { onChange: () => writer.changed(), onFired: () => writer.changed() }),
      dst,
      missed,
      onError: (err) => node.error(toRecorderError(err).message),
    });
    life.add(() => table.stop());
    if (config.role !== 'active') table.enterStandby();

    /** Set while a command is answered: its reply says the role, no separate role message. */
    let answering = false;
    const announce = (payload: Record<string, unknown>): void => {
      if (!answering) node.send([null, { topic: 'role', payload }]);
    };
    const followRole = (change: RoleChange): void => {
      if (change.role === 'standby') {
        table.firedElsewhereUntil(change.lastFired);
        const changed = table.enterStandby();
        if (changed)
          announce({ role: 'standby', changed, leader: change.leader, lastFired: iso(table.lastFired()) });
      } else {
        const changed = table.standby;
        const late = table.takeOver(change.lastFired);
        if (changed && store !== null) writer.changed();
        if (changed)
          announce({
            role: 'active',
            changed,
            leader: change.leader,
            lastFired: iso(table.lastFired()),
            late: late.map((f) => ({ name: f.definition.name, scheduledAt: iso(f.scheduledAt) })),
          });
      }
      statusSoon();
    };
    const leadership = followLeader({
      node,
      life,
      check: ctx.check,
      values: config,
      outputs,
      onRole: followRole,
      onState: () => statusSoon(),
      lastFired: () => table.lastFired(),
    });

    const showStatus = (): void => {
      if (leadership?.duplicated)
        return status.set('error', t('recorder-schedule.status.duplicate', { id: leadership.instance }));
      if (leadership && (leadership.state === 'claiming' || leadership.state === 'settling'))
        return status.set('busy', t('recorder-schedule.status.claiming'));
      if (table.standby && leadership?.leader) {
        const next = table.earliest()?.nextAt;
        const leader = leadership.leader;
        return status.set(
          'idle',
          next == null
            ? t('recorder-schedule.status.follows', { leader })
            : t('recorder-schedule.status.followsNext', { leader, when: shortWhen(next, Date.now()) }),
        );
      }
      if (table.standby) {
        const next = table.earliest()?.nextAt;
        return status.set(
          'idle',
          next == null
            ? t('recorder-schedule.status.standby')
            : t('recorder-schedule.status.standbyNext', { when: shortWhen(next, Date.now()) }),
        );
      }
      // Saved schedules that could not be restored stay visible until updated or removed.
      if (table.heldCount > 0)
        return status.set('warning', t('recorder-schedule.status.held', { count: table.heldCount }));
      const next = table.earliest();
      if (next?.nextAt != null) {
        const zone = next.relativeTo === null ? next.timeZone : undefined;
        return status.set(
          'scheduled',
          t('recorder-schedule.status.next', { when: shortWhen(next.nextAt, Date.now(), zone) }),
        );
      }
      if (table.size === 0) return status.set('idle', t('recorder-schedule.status.empty'));
      if (table.waitingForStart()) return status.set('idle', t('recorder-schedule.status.waiting'));
      if (table.pausedCount > 0) return status.set('idle', t('recorder-schedule.status.paused'));
      status.set('idle', t('recorder-schedule.status.done'));
    };
    let statusTimer: NodeJS.Timeout | undefined;
    const statusSoon = (): void => {
      statusTimer ??= setTimeout(() => {
        statusTimer = undefined;
        showStatus();
      }, STATUS_DELAY_MS);
    };
    life.add(() => clearTimeout(statusTimer));

    const editorSchedules = staticDefinitions(rawConfig.schedules);
    checkStaticAnchors(editorSchedules);
    function* addEditorSchedules(): Generator<void> {
      for (const definition of editorSchedules) {
        try {
          table.add(definition);
        } catch (err) {
          node.error(`schedule "${definition.name}": ${toRecorderError(err).message}`);
        }
        yield;
      }
    }
    const savedState = (): Promise<unknown> =>
      new Promise((resolve) => {
        if (store === null) return resolve(undefined);
        context.get(key, store, (err, value) => {
          if (err) node.warn(`could not read the saved schedules: ${err.message}`);
          resolve(err ? undefined : value);
        });
      });

    let started = false;
    const closed = (): boolean => life.isDisposed;
    const ready = (async (): Promise<void> => {
      if ((await runSliced(addEditorSchedules(), closed)).stopped) return;
      const value = await savedState();
      if (life.isDisposed) return;
      const restored = await runSliced(table.restoring(value), closed);
      // Stopped half way: nothing is written back (`started` stays false), the store keeps it all.
      if (restored.stopped) return;
      for (const problem of restored.value.problems)
        node.warn(`saved schedule kept but not running: ${problem} (update or remove it)`);
      for (const name of restored.value.replaced)
        node.warn(`saved schedule "${name}" is now set in the editor: the editor's one runs`);
      started = true;
      table.start();
      table.catchUp();
      leadership?.start();
      showStatus();
    })();
    // Every message awaits `ready` and answers with its failure; this only keeps it from going unhandled.
    ready.catch((err: unknown) => node.error(`could not start: ${toRecorderError(err).message}`));

    /** Per schedule, the last firing the saved state says was sent (read before a takeover). */
    let storeHints: ReadonlyMap<string, number> | undefined;

    /** One command; long answers (every schedule) yield between schedules. */
    function* execute(command: Command): Generator<void, unknown> {
      switch (command.command) {
        case 'add':
          table.add(command.definition);
          return table.info(command.definition.name);
        case 'update':
          table.update(command.definition);
          return table.info(command.definition.name);
        case 'remove':
          if (command.all) return { removed: table.removeDynamic() };
          table.remove(command.name);
          return { removed: [command.name] };
        case 'pause':
          return { paused: table.pause(command.name) };
        case 'resume':
          return { resumed: table.resume(command.name) };
        case 'trigger':
          table.trigger(command.name);
          return table.info(command.name);
        case 'list': {
          if (command.name) return table.info(command.name);
          const all = [];
          for (const name of table.names()) {
            all.push(table.info(name));
            yield;
          }
          return all;
        }
        case 'next': {
          const nextOf = (name: string): { name: string; next: (string | null)[] } => ({
            name,
            next: table.next(name, command.count).map((at) => iso(at)),
          });
          if (command.name) return nextOf(command.name);
          const all = [];
          for (const name of table.names()) {
            all.push(nextOf(name));
            yield;
          }
          return all;
        }
        case 'describe': {
          if (command.expression)
            return previewExpression({
              expression: command.expression,
              relative: command.relative,
              timeZone: command.timeZone,
              dst,
            });
          const info = table.info(command.name ?? '');
          return {
            ok: true,
            description: info.description,
            timeZone: info.timeZone,
            next: table.next(info.name, 5).map((at) => iso(at)),
          };
        }
        case 'start':
          table.startRelative(command.at);
          return { relativeStart: iso(table.relativeStart), schedules: table.messageAnchored() };
        case 'stop':
          table.stopRelative();
          return { relativeStart: null, schedules: table.relativeNames() };
        case 'standby': {
          table.firedElsewhereUntil(command.lastFired);
          const changed = table.enterStandby();
          // Leader mode: hand the leader topic over (vacate, let go) and claim nothing until another leads.
          answering = true;
          try {
            leadership?.yieldLeadership();
          } finally {
            answering = false;
          }
          return { role: 'standby', changed, lastFired: iso(table.lastFired()) };
        }
        case 'active': {
          if (leadership) {
            // Leader mode: claim the topic; the node is active once the claim has settled.
            table.firedElsewhereUntil(command.lastFired);
            leadership.claimNow();
            return {
              role: table.standby ? 'standby' : 'active',
              changed: false,
              leadership: leadership.state,
              lastFired: iso(table.lastFired()),
            };
          }
          const changed = table.standby;
          const late = table.takeOver(command.lastFired, changed ? storeHints : undefined);
          // The new active instance owns the saved state from now on.
          if (changed && store !== null) writer.changed();
          return {
            role: 'active',
            changed,
            lastFired: iso(table.lastFired()),
            late: late.map((f) => ({ name: f.definition.name, scheduledAt: iso(f.scheduledAt) })),
          };
        }
      }
    }

    /** The commands of one message, one step each (a close between two slices stops the rest). */
    let done = 0;
    function* executeAll(commands: readonly Command[]): Generator<void, unknown[]> {
      const results: unknown[] = [];
      done = 0;
      for (const command of commands) {
        results.push(yield* execute(command));
        done++;
        yield;
      }
      return results;
    }

    const handle = async (msg: Msg, send: Send): Promise<void> => {
      await ready;
      if (life.isDisposed) throw new ClosedError('the node was closed before this message was handled');
      if (fromLeaderTopic(msg, leadership)) {
        // A record of the leader topic: it may change the role (announced on output 2), no reply.
        leadership?.receive(msg.payload);
        showStatus();
        return;
      }
      const commands = readCommands(msg);
      // A takeover skips what the saved state says was sent (by the active instance, on a shared store).
      storeHints =
        store !== null && table.standby && commands.some((c) => c.command === 'active')
          ? firedByInSaved(await savedState())
          : undefined;
      if (life.isDisposed) throw new ClosedError('the node was closed before this message was handled');
      let outcome: { stopped: false; value: unknown[] } | { stopped: true };
      try {
        outcome = await runSliced(executeAll(commands), closed);
      } finally {
        if (!life.isDisposed) showStatus();
      }
      if (outcome.stopped)
        throw new ClosedError(
          `the node was closed after ${done} of ${commands.length} commands of this message (those are kept)`,
        );
      // Write-through: the reply means the store has the change (on disk for a file store
      // without cache; a cached store writes at its own interval, see the help).
      if (store !== null) await writer.flush();
      msg.payload = Array.isArray(msg.payload) ? outcome.value : outcome.value[0];
      send([null, msg]);
    };
    // One message after another: a sliced batch is not overtaken by the next message's commands.
    let queue: Promise<unknown> = ready;

    onInput(
      node,
      (msg: Msg, send) => {
        const handled = queue.then(() => handle(msg, send));
        queue = handled.catch(() => undefined);
        return handled;
      },
      (error) => status.fail(error),
    );
  },
});
