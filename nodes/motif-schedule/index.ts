/**
 * motif-schedule: server-side motif tasks declared in the editor and reconciled with the server on
 * deploy, whenever the connection comes back, and on a periodic check (motif forgets its tasks when
 * it restarts with an empty list): missing tasks are created, changed ones replaced, this node's
 * stale ones deleted; other users' tasks are never touched. Messages list, clear this node's
 * tasks, add or remove one, or re-sync. Output 1: reports and replies; in leader mode output 2: the
 * leadership messages for a core `mqtt out` node (src/kit/leadership.ts): the leader topic decides
 * which instance keeps the server's tasks.
 */
import { createTask, deleteTask, readTasks, type MotifClient } from '../../src/backends/motif';
import { ConfigError, InputError, toRecorderError } from '../../src/common/errors';
import { isPlainObject } from '../../src/common/input';
import { onInput, type Msg } from '../../src/kit/node-red';
import { CronSchedule, shortWhen } from '../../src/schedule';
import { schedulePreviewRoute } from '../../src/kit/admin';
import { defineNode } from '../../src/kit/define-node';
import { followLeader, fromLeaderTopic } from '../../src/kit/follow-leader';
import type { RoleChange } from '../../src/kit/leadership';
import { useServer } from '../../src/kit/use-server';
import { FIELDS, MAX_TASKS } from './fields';
import { reconcile, viewOf, viewOfExpression, type ReconcileReport, type TaskView } from './reconcile';
import {
  editorTaskName,
  messageTaskName,
  nodePrefix,
  planTask,
  readDeclaration,
  type PlannedTask,
} from './tasks';

const COMMANDS = ['list', 'clear', 'add', 'remove', 'sync', 'active', 'standby'] as const;
type CommandName = (typeof COMMANDS)[number];
/** Commands that create, replace or delete tasks on the server: refused in standby. */
const WRITES: readonly CommandName[] = ['clear', 'add', 'remove', 'sync'];

/** A leader topic's payload: true / "active" / "true" = active, false / "standby" / "false" = standby. */
function roleOf(payload: unknown): 'active' | 'standby' | undefined {
  const text = typeof payload === 'string' ? payload.trim().toLowerCase() : payload;
  if (text === true || text === 'true' || text === 'active') return 'active';
  if (text === false || text === 'false' || text === 'standby') return 'standby';
  return undefined;
}

function commandOf(msg: Msg): { command: CommandName; fields: Record<string, unknown> } {
  const payload = msg.payload;
  const isCommand = (v: unknown): boolean =>
    typeof v === 'string' && (COMMANDS as readonly string[]).includes(v);
  const role = roleOf(payload);
  if (role && !isCommand(msg.topic)) return { command: role, fields: {} };
  const fromPayload = isPlainObject(payload) ? payload.command : undefined;
  const command = fromPayload ?? msg.topic;
  if (typeof command !== 'string' || !(COMMANDS as readonly string[]).includes(command))
    throw new InputError(
      `set msg.payload.command or msg.topic to one of ${COMMANDS.join(', ')}`,
      'msg.payload',
    );
  const fields = isPlainObject(payload)
    ? payload
    : typeof payload === 'string' && payload.trim()
      ? { name: payload.trim() }
      : {};
  return { command: command as CommandName, fields };
}

export default defineNode({
  type: 'motif-schedule',
  fields: FIELDS,
  admin: schedulePreviewRoute,
  setup: (ctx) => {
    const { node, life, t, values: config, config: rawConfig } = ctx;
    const served = useServer<typeof FIELDS, MotifClient>(ctx, 'server', 'motif-server');
    const { server, status } = served;
    // Standby: another Node-RED instance with the same flow keeps the tasks on the server; this one
    // creates, replaces and deletes nothing there until it is told to be active.
    let standby = config.role !== 'active';
    // Leader mode adds the leadership output after the reports.
    const outputs = config.role === 'leader' ? 2 : 1;
    const prefix = nodePrefix(node.id);
    const editorPrefix = `${prefix}e_`;
    const timeZone = config.timeZone || undefined;
    if (timeZone) {
      try {
        new CronSchedule('0 0 0 * * *', { timeZone });
      } catch (err) {
        throw new ConfigError(`motif-schedule: ${toRecorderError(err).message}`, 'timeZone');
      }
    }

    // Declarations are checked at deploy: a bad one is reported and nothing is sent for it.
    const declared = rawConfig.tasks ?? [];
    if (!Array.isArray(declared))
      throw new ConfigError('motif-schedule: the task list is not a list', 'tasks');
    if (declared.length > MAX_TASKS)
      throw new ConfigError(`motif-schedule: more than ${MAX_TASKS} tasks (${declared.length})`, 'tasks');
    const desired: PlannedTask[] = [];
    const problems: string[] = [];
    declared.forEach((item: unknown, i) => {
      try {
        const declaration = readDeclaration(item, `task ${i + 1}`);
        desired.push(planTask(declaration, editorTaskName(prefix, declaration)));
      } catch (err) {
        problems.push(toRecorderError(err).message);
      }
    });

    /** Set while a command is answered: its reply says the role, no separate role message. */
    let answering = false;
    const followRole = (change: RoleChange): void => {
      if (change.role === 'standby') {
        if (standby) return;
        standby = true;
        showStandby();
        if (!answering)
          node.send({ topic: 'role', payload: { role: 'standby', changed: true, leader: change.leader } });
        return;
      }
      if (!standby) return;
      standby = false;
      // Taking over: the server's tasks are brought in line with this node's declaration now.
      sync().then(
        (report) =>
          node.send({
            topic: 'role',
            payload: { role: 'active', changed: true, leader: change.leader, sync: report },
          }),
        (err: unknown) => {
          if (life.isDisposed) return;
          const error = toRecorderError(err);
          status.fail(error);
          node.error(`active, but could not synchronise the motif tasks: ${error.message}`);
        },
      );
    };
    const leadership = followLeader({
      node,
      life,
      check: ctx.check,
      values: config,
      outputs,
      onRole: followRole,
      onState: () => {
        if (standby) showStandby();
      },
    });

    /** Standby status: the next firing of the declared tasks, computed here; in leader mode who leads. */
    const showStandby = (): void => {
      if (leadership?.duplicated)
        return status.set('error', t('motif-schedule.status.duplicate', { id: leadership.instance }));
      if (leadership && (leadership.state === 'claiming' || leadership.state === 'settling'))
        return status.set('busy', t('motif-schedule.status.claiming'));
      const now = Date.now();
      const next = desired
        .flatMap((task) => viewOf(task, now, timeZone).next.slice(0, 1))
        .map((iso) => Date.parse(iso))
        .sort((a, b) => a - b)[0];
      const leader = leadership?.leader;
      status.set(
        'idle',
        leader
          ? next === undefined
            ? t('motif-schedule.status.follows', { leader })
            : t('motif-schedule.status.followsNext', { leader, when: shortWhen(next, now, timeZone) })
          : next === undefined
            ? t('motif-schedule.status.standby')
            : t('motif-schedule.status.standbyNext', { when: shortWhen(next, now, timeZone) }),
      );
    };

    const showSummary = (tasks: TaskView[], nowMs: number): void => {
      if (problems.length > 0) return status.set('error', t('motif-schedule.status.invalid'));
      const next = tasks
        .flatMap((v) => v.next.slice(0, 1))
        .map((iso) => Date.parse(iso))
        .sort((a, b) => a - b)[0];
      if (next === undefined)
        return status.set('connected', t('motif-schedule.status.tasks', { count: tasks.length }));
      const when = shortWhen(next, nowMs, timeZone);
      status.set('scheduled', t('motif-schedule.status.next', { count: tasks.length, when }));
    };

    // One server conversation at a time: a sync, a check and a command never interleave. Every
    // call goes through the connection's bracket, which records its outcome.
    let queue: Promise<unknown> = Promise.resolve();
    const serial = <T>(job: (client: MotifClient) => Promise<T>): Promise<T> => {
      const run = queue.then(() => server.connection.run(job));
      // The queue only orders the calls: each caller gets its own failure through `run`.
      queue = run.catch(() => undefined);
      return run;
    };

    let synced = false;
    let checking = false;
    const sync = (quiet = false): Promise<ReconcileReport> =>
      serial(async (client) => {
        if (!quiet) status.set('busy', t('motif-schedule.status.syncing'));
        const report = await reconcile(client, desired, prefix, editorPrefix, timeZone, served.signal);
        synced = true;
        showSummary(report.tasks, Date.parse(report.now));
        return report;
      });

    /** A sync whose report goes to the output (only when it changed something, for a check). */
    const syncAndReport = (check: boolean): void => {
      if (life.isDisposed || checking || standby) return;
      checking = true;
      sync(check).then(
        (report) => {
          checking = false;
          if (!check || report.created.length > 0 || report.removed.length > 0)
            node.send({ topic: 'reconcile', payload: report });
        },
        (err: unknown) => {
          checking = false;
          if (life.isDisposed) return;
          const error = toRecorderError(err);
          status.fail(error);
          node.error(`could not synchronise the motif tasks: ${error.message}`);
        },
      );
    };

    for (const problem of problems) node.error(problem);
    // On deploy, whenever the connection comes back (motif may have restarted without the tasks),
    // and on the periodic check.
    let connected = server.connection.state === 'connected';
    life.on(server.connection, 'state', () => {
      const now = server.connection.state === 'connected';
      if (now && !connected) syncAndReport(false);
      connected = now;
      if (standby) showStandby();
    });
    if (connected) syncAndReport(false);
    if (standby) showStandby();
    leadership?.start();
    const interval = config.checkInterval ?? 60;
    if (interval > 0) {
      const timer = setInterval(() => {
        if (server.connection.state === 'connected') syncAndReport(true);
      }, interval * 1000);
      timer.unref();
      life.add(() => clearInterval(timer));
    }

    // A node deleted from the flow takes its tasks with it (a restart keeps them on the server).
    life.add(async () => {
      if (!life.removed || !synced || standby) return;
      const client = server.openClient();
      try {
        const { tasks } = await readTasks(client);
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
        const schedule = await readTasks(client, served.signal);
        const nowMs = schedule.now * 1000;
        const byName = new Map(desired.map((task) => [task.taskName, task]));
        const tasks = schedule.tasks
          .filter((task) => task.task_name.startsWith(prefix))
          .map((task) => {
            const planned = byName.get(task.task_name);
            if (planned) return viewOf(planned, nowMs, timeZone);
            const name = task.task_name.slice(prefix.length + 2);
            return viewOfExpression(
              name,
              task.task_name,
              task.cron_expression,
              task.camera_relative,
              nowMs,
              timeZone,
            );
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
        if (fromLeaderTopic(msg, leadership)) {
          // A record of the leader topic: it may change the role (announced on output 1), no reply.
          leadership?.receive(msg.payload);
          if (standby) showStandby();
          return;
        }
        const { command, fields } = commandOf(msg);
        if (standby && WRITES.includes(command))
          throw new InputError(
            `the node is in standby: "${command}" changes tasks on the server, only the active node does that`,
            'msg.payload',
          );
        let result: unknown;
        switch (command) {
          case 'standby': {
            const changed = !standby;
            standby = true;
            // Leader mode: hand the leader topic over (vacate, let go) and claim nothing until another leads.
            answering = true;
            try {
              leadership?.yieldLeadership();
            } finally {
              answering = false;
            }
            showStandby();
            result = { role: 'standby', changed };
            break;
          }
          case 'active': {
            if (leadership) {
              // Leader mode: claim the topic; the node is active once the claim has settled.
              leadership.claimNow();
              result = { role: standby ? 'standby' : 'active', changed: false, leadership: leadership.state };
              break;
            }
            const changed = standby;
            standby = false;
            // Taking over: the server's tasks are brought in line with this node's declaration now.
            result = { role: 'active', changed, sync: changed ? await sync() : null };
            break;
          }
          case 'list':
            result = await list();
            break;
          case 'sync':
            result = await sync();
            break;
          case 'clear':
            result = await serial(async (client) => {
              const { tasks } = await readTasks(client, served.signal);
              const removed: string[] = [];
              for (const task of tasks) {
                if (!task.task_name.startsWith(prefix)) continue;
                await deleteTask(client, task.task_name, served.signal);
                removed.push(task.task_name);
              }
              synced = false; // the editor's tasks come back with the next sync or deploy
              status.set('idle', t('motif-schedule.status.cleared'));
              return { removed };
            });
            break;
          case 'add': {
            const declaration = readDeclaration(fields, 'msg.payload');
            const task = planTask(declaration, messageTaskName(prefix, declaration.name));
            result = await serial(async (client) => {
              const { tasks, now } = await readTasks(client, served.signal);
              const replaced = tasks.some((s) => s.task_name === task.taskName);
              if (replaced) await deleteTask(client, task.taskName, served.signal);
              await createTask(client, task.spec, served.signal);
              return { ...viewOf(task, now * 1000, timeZone), replaced };
            });
            break;
          }
          case 'remove': {
            const name = typeof fields.name === 'string' ? fields.name.trim() : '';
            if (!/^[A-Za-z0-9_-]{1,40}$/.test(name))
              throw new InputError(
                'the "remove" command needs the name of a task added by message',
                'msg.payload.name',
              );
            const taskName = messageTaskName(prefix, name);
            result = await serial(async (client) => {
              await deleteTask(client, taskName, served.signal);
              return { removed: [taskName] };
            });
            break;
          }
        }
        msg.payload = result;
        send(msg);
      },
      (error) => status.fail(error),
    );
  },
});
