/**
 * recorder-schedule: local schedules in the motif cron dialect for any backend. Several named
 * schedules per node on one timer (`ScheduleTable`), controlled by messages (`commands.ts`),
 * dynamic schedules and paused state kept in a context store, relative schedules anchored by a
 * `start` message or by another schedule of the node (with a run time), so a protocol needs no
 * wiring loop. Output 1: firings; output 2: command replies.
 */
import type { Disposer } from '../../common/disposer';
import { toRecorderError } from '../../common/errors';
import { readConfig } from '../../common/fields';
import {
  onInput,
  ownStatus,
  registerNode,
  translator,
  type Msg,
  type Node,
  type NodeDef,
  type RED,
} from '../../common/node-red';
import {
  previewExpression,
  previewFromQuery,
  shortWhen,
  type DstPolicy,
  type MissedPolicy,
} from '../../schedule';
import { readCommands, type Command } from './commands';
import { FIELDS } from './fields';
import { checkStaticAnchors, staticDefinitions } from './static-list';
import { StateWriter } from './state-writer';
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

function bounded(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

function iso(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

export default function (RED: RED): void {
  const t = translator(RED);
  // The editor's expression preview, behind Node-RED's permission check; always JSON.
  RED.httpAdmin.get(
    '/recorders/schedule/preview',
    RED.auth.needsPermission('recorder-schedule.read'),
    (req, res) => {
      res.json(previewFromQuery(req.query));
    },
  );
  registerNode<NodeDef>(RED, 'recorder-schedule', (node: Node, raw, life: Disposer) => {
    const rawConfig = raw as unknown as Record<string, unknown>;
    const config = readConfig(FIELDS, rawConfig, 'recorder-schedule');
    const dst = config.dst as DstPolicy;
    const missed = config.missed as MissedPolicy;
    const status = ownStatus(node, life, t);
    const store = config.store === 'none' ? null : config.store || undefined;
    // The global context, not the node's: Node-RED deletes a node's context on every redeploy
    // unless a context store is configured, and the key is removed when the node is deleted.
    const context = node.context().global as unknown as NodeContextStore;
    const key = persistKey(node.id);
    const save = (value: unknown): Promise<void> =>
      new Promise<void>((resolve) => {
        if (store === null) return resolve();
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
      return RED.util.evaluateNodeProperty(String(definition.payload), definition.payloadType, node, {});
    };

    const fire = (firing: Firing): void => {
      const { definition } = firing;
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
        node.send([msg, null]);
      } catch (err) {
        node.error(`schedule "${definition.name}": ${toRecorderError(err).message}`);
      }
      statusSoon();
    };

    const table = new ScheduleTable({
      onFire: fire,
      // Nothing to keep with the store set to none: no snapshot is ever taken.
      ...(store === null ? {} : { onChange: () => writer.changed(), onFired: () => writer.changed() }),
      dst,
      missed,
      onError: (err) => node.error(toRecorderError(err).message),
    });
    life.add(() => table.stop());

    const showStatus = (): void => {
      const next = table.earliest();
      if (next?.nextAt != null) {
        const zone = next.relativeTo === null ? next.timeZone : undefined;
        return status.set(
          'scheduled',
          t('recorder-schedule.status.next', { when: shortWhen(next.nextAt, Date.now(), zone) }),
        );
      }
      if (table.size === 0) return status.set('idle', t('recorder-schedule.status.empty'));
      if (table.relativeStart === null && table.list().some((s) => s.relative && !s.anchor && !s.paused))
        return status.set('idle', t('recorder-schedule.status.waiting'));
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
    for (const definition of editorSchedules) {
      try {
        table.add(definition);
      } catch (err) {
        node.error(`schedule "${definition.name}": ${toRecorderError(err).message}`);
      }
    }

    let started = false;
    const ready = new Promise<void>((resolve) => {
      if (store === null) return resolve();
      context.get(key, store, (err, value) => {
        if (err) node.warn(`could not read the saved schedules: ${err.message}`);
        else for (const problem of table.restore(value)) node.warn(`saved schedule dropped: ${problem}`);
        resolve();
      });
    }).then(() => {
      if (life.isDisposed) return;
      started = true;
      table.start();
      table.catchUp();
      showStatus();
    });

    const execute = (command: Command): unknown => {
      switch (command.command) {
        case 'add':
          table.add(command.definition);
          return table.info(command.definition.name);
        case 'update':
          table.update(command.definition);
          return table.info(command.definition.name);
        case 'remove':
          return {
            removed:
              command.name === '*' ? table.removeDynamic() : (table.remove(command.name), [command.name]),
          };
        case 'pause':
          return { paused: table.pause(command.name) };
        case 'resume':
          return { resumed: table.resume(command.name) };
        case 'trigger':
          table.trigger(command.name);
          return table.info(command.name);
        case 'list':
          return command.name ? table.info(command.name) : table.list();
        case 'next': {
          const names = command.name ? [command.name] : table.list().map((s) => s.name);
          const all = names.map((name) => ({
            name,
            next: table.next(name, command.count).map((at) => iso(at)),
          }));
          return command.name ? all[0] : all;
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
          return {
            relativeStart: iso(table.relativeStart),
            schedules: table
              .list()
              .filter((s) => s.relative && !s.anchor)
              .map((s) => s.name),
          };
        case 'stop':
          table.stopRelative();
          return {
            relativeStart: null,
            schedules: table
              .list()
              .filter((s) => s.relative)
              .map((s) => s.name),
          };
      }
    };

    onInput(
      node,
      async (msg: Msg, send) => {
        await ready;
        const commands = readCommands(msg);
        const results = commands.map((command) => execute(command));
        showStatus();
        // Write-through: the reply means the store has the change (on disk for a file store
        // without cache; a cached store writes at its own interval, see the help).
        if (store !== null) await writer.flush();
        msg.payload = Array.isArray(msg.payload) ? results : results[0];
        send([null, msg]);
      },
      (error) => status.fail(error),
    );
  });
}
