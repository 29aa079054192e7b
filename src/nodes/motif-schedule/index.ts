/**
 * motif-schedule: server-side motif tasks declared in the editor and reconciled with the server on
 * deploy (and whenever the connection comes back): missing tasks are created, changed ones
 * replaced, this node's stale ones deleted; other users' tasks are never touched. Messages list,
 * clear this node's tasks, add or remove one, or re-sync. One output: reports and replies.
 */
import { setMaxListeners } from 'node:events';
import type { MotifClient } from '../../backends/motif/client';
import type { Disposer } from '../../common/disposer';
import { InputError, toRecorderError } from '../../common/errors';
import { isPlainObject } from '../../common/input';
import {
  configNode,
  onInput,
  registerNode,
  translator,
  useConnection,
  type Msg,
  type Node,
  type NodeDef,
  type RED,
} from '../../common/node-red';
import { status, type NodeStatusShape } from '../../common/status';
import { CronSchedule, previewFromQuery, shortWhen } from '../../schedule';
import type { MotifServerNode } from '../motif-server';
import {
  createTask,
  deleteTask,
  readSchedule,
  reconcile,
  viewOf,
  type ReconcileReport,
  type TaskView,
} from './reconcile';
import {
  editorTaskName,
  messageTaskName,
  nodePrefix,
  planTask,
  readDeclaration,
  type PlannedTask,
} from './tasks';

interface MotifScheduleConfig extends NodeDef {
  server: string;
  tasks?: unknown[];
  /** Zone of the motif machine, for next-firing previews ('' = this runtime's zone). */
  timeZone?: string;
}

const COMMANDS = ['list', 'clear', 'add', 'remove', 'sync'] as const;
type CommandName = (typeof COMMANDS)[number];

function commandOf(msg: Msg): { command: CommandName; fields: Record<string, unknown> } {
  const payload = msg.payload;
  const fromPayload = isPlainObject(payload) ? payload.command : undefined;
  const command = fromPayload ?? msg.topic;
  if (typeof command !== 'string' || !(COMMANDS as readonly string[]).includes(command))
    throw new InputError(`set msg.payload.command or msg.topic to one of ${COMMANDS.join(', ')}`);
  const fields = isPlainObject(payload)
    ? payload
    : typeof payload === 'string' && payload.trim()
      ? { name: payload.trim() }
      : {};
  return { command: command as CommandName, fields };
}

export default function (RED: RED): void {
  const t = translator(RED);
  // The editor's expression preview, behind Node-RED's permission check; always JSON.
  RED.httpAdmin.get(
    '/recorders/motif-schedule/preview',
    RED.auth.needsPermission('motif-schedule.read'),
    (req, res) => {
      res.json(previewFromQuery(req.query as Record<string, unknown>));
    },
  );
  registerNode<MotifScheduleConfig>(RED, 'motif-schedule', (node: Node, config, life: Disposer) => {
    const server = configNode<MotifServerNode>(RED, config.server, 'motif-server');
    const prefix = nodePrefix(node.id);
    const editorPrefix = `${prefix}e_`;
    const timeZone = config.timeZone?.trim() || undefined;
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    life.add(() => abort.abort());

    // Declarations are checked at deploy: a bad one is reported and nothing is sent for it.
    const desired: PlannedTask[] = [];
    const problems: string[] = [];
    (config.tasks ?? []).forEach((raw, i) => {
      try {
        const declaration = readDeclaration(raw, `task ${i + 1}`);
        desired.push(planTask(declaration, editorTaskName(prefix, declaration)));
      } catch (err) {
        problems.push(toRecorderError(err).message);
      }
    });
    if (timeZone) new CronSchedule('0 0 0 * * *', { timeZone }); // a bad zone fails the deploy clearly

    let own: NodeStatusShape | undefined;
    let synced = false;
    const view = useConnection(node, server.connection, life, t, (shape, connected) =>
      connected && own ? own : shape,
    );
    const show = (shape: NodeStatusShape): void => {
      own = shape;
      view.show(shape);
    };

    const summary = (tasks: TaskView[], nowMs: number): NodeStatusShape => {
      const next = tasks
        .flatMap((v) => v.next.slice(0, 1))
        .map((iso) => Date.parse(iso))
        .sort((a, b) => a - b)[0];
      if (next === undefined)
        return status('connected', t('motif-schedule.status.tasks', { count: tasks.length }));
      const when = shortWhen(next, nowMs, timeZone);
      return status('scheduled', t('motif-schedule.status.next', { count: tasks.length, when }));
    };

    // One server conversation at a time: a sync and a command never interleave.
    let queue: Promise<unknown> = Promise.resolve();
    const serial = <T>(job: (client: MotifClient) => Promise<T>): Promise<T> => {
      const run = queue.then(async () => {
        const client = server.connection.client();
        try {
          const result = await job(client);
          server.connection.reportSuccess();
          return result;
        } catch (err) {
          server.connection.reportFailure(err);
          throw err;
        }
      });
      queue = run.catch(() => undefined);
      return run;
    };

    const sync = (): Promise<ReconcileReport> =>
      serial(async (client) => {
        show(status('busy', t('motif-schedule.status.syncing')));
        const report = await reconcile(client, desired, prefix, editorPrefix, timeZone, abort.signal);
        synced = true;
        show(summary(report.tasks, Date.parse(report.now)));
        return report;
      });

    const syncAndReport = (): void => {
      if (life.isDisposed) return;
      sync().then(
        (report) => node.send({ topic: 'reconcile', payload: report }),
        (err: unknown) => {
          if (life.isDisposed) return;
          const error = toRecorderError(err);
          show(status('error', error.statusText));
          node.error(`could not synchronise the motif tasks: ${error.message}`);
        },
      );
    };

    if (problems.length > 0) {
      show(status('error', t('motif-schedule.status.invalid')));
      for (const problem of problems) node.error(problem);
    }
    // Sync on deploy, and again whenever the connection comes back before the first success.
    life.on(server.connection, 'state', () => {
      if (!synced && server.connection.state === 'connected') syncAndReport();
    });
    if (server.connection.state === 'connected') syncAndReport();

    // A node deleted from the flow takes its tasks with it (a restart keeps them on the server).
    life.add(async () => {
      if (!life.removed || !synced) return;
      const client = server.openClient();
      try {
        const { tasks } = await readSchedule(client);
        for (const task of tasks) {
          if (task.task_name.startsWith(prefix)) await deleteTask(client, task.task_name);
        }
      } catch (err) {
        node.warn(`could not delete the tasks of this node: ${toRecorderError(err).message}`);
      } finally {
        await client.close();
      }
    });

    const list = (): Promise<unknown> =>
      serial(async (client) => {
        const schedule = await readSchedule(client, abort.signal);
        const nowMs = schedule.now * 1000;
        const byName = new Map(desired.map((task) => [task.taskName, task]));
        const tasks = schedule.tasks
          .filter((task) => task.task_name.startsWith(prefix))
          .map((task) => {
            const planned = byName.get(task.task_name);
            if (planned) return viewOf(planned, nowMs, timeZone);
            const next = task.camera_relative
              ? []
              : new CronSchedule(task.cron_expression, timeZone ? { timeZone } : {})
                  .nextN(nowMs, 5)
                  .map((at) => new Date(at).toISOString());
            return {
              name: task.task_name.slice(prefix.length + 2),
              taskName: task.task_name,
              expression: task.cron_expression,
              relative: task.camera_relative,
              next,
            };
          });
        const missing = desired.filter((task) => !schedule.tasks.some((s) => s.task_name === task.taskName));
        return {
          now: new Date(nowMs).toISOString(),
          tasks,
          missing: missing.map((task) => task.declaration.name),
          others: schedule.tasks.filter((task) => !task.task_name.startsWith(prefix)).length,
        };
      });

    onInput(
      node,
      async (msg, send) => {
        const { command, fields } = commandOf(msg);
        let result: unknown;
        switch (command) {
          case 'list':
            result = await list();
            break;
          case 'sync':
            result = await sync();
            break;
          case 'clear':
            result = await serial(async (client) => {
              const { tasks } = await readSchedule(client, abort.signal);
              const removed: string[] = [];
              for (const task of tasks) {
                if (!task.task_name.startsWith(prefix)) continue;
                await deleteTask(client, task.task_name, abort.signal);
                removed.push(task.task_name);
              }
              synced = false; // the editor's tasks come back with the next sync or deploy
              show(status('idle', t('motif-schedule.status.cleared')));
              return { removed };
            });
            break;
          case 'add': {
            const declaration = readDeclaration(fields, 'msg.payload');
            const task = planTask(declaration, messageTaskName(prefix, declaration.name));
            result = await serial(async (client) => {
              const { tasks, now } = await readSchedule(client, abort.signal);
              const replaced = tasks.some((s) => s.task_name === task.taskName);
              if (replaced) await deleteTask(client, task.taskName, abort.signal);
              await createTask(client, task, abort.signal);
              return { ...viewOf(task, now * 1000, timeZone), replaced };
            });
            break;
          }
          case 'remove': {
            const name = typeof fields.name === 'string' ? fields.name.trim() : '';
            if (!name) throw new InputError('the "remove" command needs the name of a task added by message');
            const taskName = messageTaskName(prefix, name);
            result = await serial(async (client) => {
              await deleteTask(client, taskName, abort.signal);
              return { removed: [taskName] };
            });
            break;
          }
        }
        msg.payload = result;
        send(msg);
      },
      (error) => show(status('error', error.statusText)),
    );
  });
}
