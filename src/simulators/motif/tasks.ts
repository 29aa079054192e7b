/**
 * The simulator's store of server-side scheduled tasks. It only stores; executing tasks belongs to
 * a scheduler that subscribes to the change events ('added', 'removed', 'cleared').
 */
import { EventEmitter } from 'node:events';

export interface SimTask {
  task_name: string;
  cron_expression: string;
  camera_relative: boolean;
  /** The scheduled operation, i.e. the endpoint id without 'schedule/', e.g. 'camera/<serial>/recording/start'. */
  operation: string;
  /** Path parameters of the operation (serial, name). */
  params: Record<string, string>;
  /** The remaining body keys: the arguments of the operation (value, duration, codec, …). */
  args: Record<string, unknown>;
  /** Unix seconds. */
  created: number;
}

export interface SimTaskEvents {
  added: [SimTask];
  removed: [SimTask];
  cleared: [SimTask[]];
}

export class SimTaskStore extends EventEmitter<SimTaskEvents> {
  private readonly tasks = new Map<string, SimTask>();

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  get(name: string): SimTask | undefined {
    return this.tasks.get(name);
  }

  list(): SimTask[] {
    return [...this.tasks.values()];
  }

  /** Adds or replaces a task (a replaced task is reported as removed first). */
  put(task: SimTask): void {
    const old = this.tasks.get(task.task_name);
    if (old) {
      this.tasks.delete(task.task_name);
      this.emit('removed', old);
    }
    this.tasks.set(task.task_name, task);
    this.emit('added', task);
  }

  remove(name: string): SimTask | undefined {
    const task = this.tasks.get(name);
    if (task) {
      this.tasks.delete(name);
      this.emit('removed', task);
    }
    return task;
  }

  clear(): number {
    const all = this.list();
    this.tasks.clear();
    this.emit('cleared', all);
    return all.length;
  }
}
