/**
 * Runs the simulator's stored tasks with the package's own cron engine, so that scheduled
 * recordings, copies, exports, output changes and configure calls really happen and can be observed
 * through the API. Absolute tasks run in the simulator's time zone; camera-relative tasks are armed
 * while their camera records, relative to that recording's start (vendor documentation).
 */
import { Scheduler, type ScheduleEntry } from '../../schedule';
import type { SimEngine } from './engine';
import { SimHttpError } from './http-error';
import { matchRoute, type RouteContext } from './routes';
import type { ScheduleOptions } from './schedule-routes';
import type { SimCamera } from './state';
import type { SimTask } from './tasks';

/** One execution of a task, kept in `sim.taskRuns` (newest last). */
export interface SimTaskRun {
  task_name: string;
  /** Unix seconds the firing was due. */
  scheduled: number;
  /** Unix seconds it ran. */
  at: number;
  ok: boolean;
  /** The operation's answer, or the error message. */
  result: unknown;
}

const RUN_LOG_SIZE = 200;

/** How a stored task is executed: the method, path and body of the equivalent direct call. */
export function taskCall(task: SimTask): {
  method: string;
  segments: string[];
  body: Record<string, unknown>;
} {
  const fill = (template: string): string[] =>
    template.split('/').map((part) => {
      const m = /^<(\w+)>$/.exec(part);
      return m ? (task.params[m[1]] ?? '') : part;
    });
  // Scheduled configure names the parameter in the path; the direct call is a PATCH of {name: value}.
  const configure = /^(.*configure)\/<name>$/.exec(task.operation);
  if (configure) {
    return { method: 'PATCH', segments: fill(configure[1]), body: { [task.params.name]: task.args.value } };
  }
  return { method: 'POST', segments: fill(task.operation), body: { ...task.args } };
}

export class SimTaskRunner {
  readonly runs: SimTaskRun[] = [];
  private readonly scheduler: Scheduler<SimTask>;
  /** Relative tasks without a camera in their path: the camera whose recording anchors them. */
  private readonly anchors = new Map<string, string>();

  constructor(
    private readonly engine: SimEngine,
    private readonly schedule: ScheduleOptions,
  ) {
    const state = engine.state;
    this.scheduler = new Scheduler<SimTask>({
      clock: state.clock,
      onFire: (entry, scheduledAt) => this.run(entry, scheduledAt),
    });
    state.tasks.on('added', (task) => this.arm(task));
    state.tasks.on('removed', (task) => this.disarm(task));
    state.tasks.on('cleared', (tasks) => tasks.forEach((task) => this.disarm(task)));
    engine.on('recording-started', (camera) => this.onRecording(camera, true));
    engine.on('recording-stopped', (camera) => this.onRecording(camera, false));
    this.scheduler.start();
  }

  /** Next firing (epoch ms) of a task that is armed, else null. */
  nextAt(name: string): number | null {
    return this.scheduler.get(name)?.nextAt ?? null;
  }

  dispose(): void {
    this.scheduler.clear();
  }

  private arm(task: SimTask): void {
    if (!task.camera_relative) return this.install(task, undefined);
    const anchor = this.anchorCamera(task);
    if (anchor?.recording.started != null) {
      this.anchors.set(task.task_name, anchor.serial);
      this.install(task, anchor.recording.started * 1000);
    }
  }

  private disarm(task: SimTask): void {
    this.anchors.delete(task.task_name);
    this.scheduler.remove(task.task_name);
  }

  private install(task: SimTask, relativeTo: number | undefined): void {
    this.scheduler.remove(task.task_name);
    try {
      this.scheduler.add(task.task_name, task.cron_expression, {
        payload: task,
        timeZone: this.engine.state.timezone,
        ...(relativeTo === undefined ? {} : { relativeTo }),
      });
    } catch (err) {
      // The store accepts any expression with the right field count; one our engine rejects never runs.
      this.log(task.task_name, this.now(), false, `not scheduled: ${(err as Error).message}`);
    }
  }

  /** The camera a relative task follows: its own, or the earliest-started recording camera. */
  private anchorCamera(task: SimTask): SimCamera | undefined {
    const serial = task.params.serial;
    if (serial !== undefined) return this.engine.state.cameras.get(serial);
    let first: SimCamera | undefined;
    for (const camera of this.engine.state.cameras.values()) {
      const started = camera.recording.started;
      if (started === null) continue;
      if (!first || started < (first.recording.started ?? Infinity)) first = camera;
    }
    return first;
  }

  private onRecording(camera: SimCamera, started: boolean): void {
    for (const task of this.engine.state.tasks.list()) {
      if (!task.camera_relative) continue;
      const own = task.params.serial;
      if (own !== undefined && own !== camera.serial) continue;
      const anchored = this.anchors.get(task.task_name);
      if (started && anchored === undefined) this.arm(task);
      if (!started && anchored === camera.serial) {
        this.disarm(task);
        this.arm(task); // another camera may still be recording
      }
    }
  }

  private run(entry: ScheduleEntry<SimTask>, scheduledAt: number): void {
    const task = entry.payload;
    const call = taskCall(task);
    const match = matchRoute(call.method, call.segments);
    if (match.kind !== 'found') {
      this.log(task.task_name, scheduledAt / 1000, false, `no route for ${call.segments.join('/')}`);
      return;
    }
    const context: RouteContext = {
      params: match.params,
      body: call.body,
      engine: this.engine,
      schedule: this.schedule,
    };
    try {
      this.log(task.task_name, scheduledAt / 1000, true, match.route.handle(context));
    } catch (err) {
      const message = err instanceof SimHttpError ? err.message : String(err);
      this.log(task.task_name, scheduledAt / 1000, false, message);
    }
  }

  private now(): number {
    return this.engine.state.clock.now() / 1000;
  }

  private log(task_name: string, scheduled: number, ok: boolean, result: unknown): void {
    this.runs.push({ task_name, scheduled, at: this.now(), ok, result });
    if (this.runs.length > RUN_LOG_SIZE) this.runs.splice(0, this.runs.length - RUN_LOG_SIZE);
  }
}
