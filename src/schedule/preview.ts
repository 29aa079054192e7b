/**
 * What the editor shows under an expression field, computed by the same engine the runtime uses
 * (recorder-schedule and motif-schedule answer it on their admin routes). Absolute expressions: in
 * words and their next firings as ISO instants (the browser formats them). Relative ones: in words
 * relative to the start ("30 minutes after start, then every 5 minutes") and their first firings as
 * offsets from the start (`afterStart`: "+0:30:00"), never as wall-clock times, since the start is
 * not known yet. Bounded work (see wall-search.ts); never throws: problems are `{ ok: false }`.
 */
import { toRecorderError } from '../common/errors';
import { CronSchedule, type DstPolicy } from './cron-schedule';
import { describe } from './describe';
import { offsetText, relativeOffsets } from './describe-relative';
import { CronSyntaxError } from './errors';

export interface PreviewRequest {
  expression: string;
  timeZone?: string;
  relative?: boolean;
  dst?: DstPolicy;
  count?: number;
  /** Epoch ms; default now. */
  from?: number;
}

export type PreviewAnswer =
  | {
      ok: true;
      relative: false;
      description: string;
      timeZone: string;
      /** Next firings, ISO instants. */
      next: string[];
    }
  | {
      ok: true;
      relative: true;
      /** In words relative to the start. */
      description: string;
      timeZone: 'relative';
      /** Always empty: a relative schedule has no wall-clock firings before it is started. */
      next: string[];
      /** First firings as offsets from the start: "+0:30:00", "+1d 2:00:00". */
      afterStart: string[];
      /** First firings in ms after the start. */
      afterStartMs: number[];
      /** The whole line for the editor: words, then the first offsets. */
      summary: string;
    }
  | { ok: false; error: string; field?: string; fieldIndex?: number };

const MAX_COUNT = 20;

export function previewExpression(request: PreviewRequest): PreviewAnswer {
  const count = Math.min(Math.max(Math.floor(request.count ?? 5) || 5, 1), MAX_COUNT);
  try {
    if (typeof request.expression !== 'string' || request.expression.trim() === '')
      return { ok: false, error: 'the cron expression is empty' };
    if (request.relative) {
      const description = describe(request.expression, { relative: true });
      const afterStartMs = relativeOffsets(request.expression, count);
      const afterStart = afterStartMs.map(offsetText);
      return {
        ok: true,
        relative: true,
        description,
        timeZone: 'relative',
        next: [],
        afterStart,
        afterStartMs,
        summary: afterStart.length ? `${description} — first: ${afterStart.join(' · ')}` : description,
      };
    }
    const schedule = new CronSchedule(request.expression, {
      dst: request.dst ?? 'auto',
      ...(request.timeZone ? { timeZone: request.timeZone } : {}),
    });
    return {
      ok: true,
      relative: false,
      description: describe(request.expression),
      timeZone: schedule.timeZone,
      next: schedule.nextN(request.from ?? Date.now(), count).map((t) => new Date(t).toISOString()),
    };
  } catch (err) {
    const message = toRecorderError(err).message;
    const field = err instanceof CronSyntaxError ? err.field : null;
    return field
      ? { ok: false, error: message, field: field.name, fieldIndex: field.index }
      : { ok: false, error: message };
  }
}

/** Query parameters of GET …/preview?expression=…&tz=…&relative=…&dst=…&count=… */
export function previewFromQuery(query: Record<string, unknown>): PreviewAnswer {
  const text = (key: string): string => (typeof query[key] === 'string' ? query[key] : '');
  const dst = text('dst');
  return previewExpression({
    expression: text('expression'),
    timeZone: text('tz').trim() || undefined,
    relative: text('relative') === 'true',
    dst: dst === 'once' || dst === 'both' ? dst : 'auto',
    ...(text('count') ? { count: Number(text('count')) } : {}),
  });
}
