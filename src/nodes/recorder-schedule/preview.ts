/**
 * What the editor shows under an expression field: the expression in words and its next firings,
 * computed by the same engine the runtime uses. Shared by recorder-schedule and motif-schedule.
 */
import { toRecorderError } from '../../common/errors';
import { CronSchedule, CronSyntaxError, describe, type DstPolicy } from '../../schedule';

export interface PreviewRequest {
  expression: string;
  timeZone?: string;
  relative?: boolean;
  dst?: DstPolicy;
  count?: number;
  /** Epoch ms; default now. Relative previews start here. */
  from?: number;
}

export type PreviewAnswer =
  | { ok: true; description: string; timeZone: string; next: string[] }
  | { ok: false; error: string; field?: string; fieldIndex?: number };

/** The next firings as ISO instants; relative expressions are shown as if started at `from`. */
export function previewExpression(request: PreviewRequest): PreviewAnswer {
  const from = request.from ?? Date.now();
  try {
    const schedule = new CronSchedule(request.expression, {
      dst: request.dst ?? 'auto',
      ...(request.relative ? { relativeTo: from } : request.timeZone ? { timeZone: request.timeZone } : {}),
    });
    return {
      ok: true,
      description: describe(request.expression, { relative: request.relative ?? false }),
      timeZone: schedule.timeZone,
      next: schedule
        .nextN(from, Math.min(Math.max(request.count ?? 5, 1), 20))
        .map((t) => new Date(t).toISOString()),
    };
  } catch (err) {
    const message = toRecorderError(err).message;
    const field = err instanceof CronSyntaxError ? err.field : null;
    return field
      ? { ok: false, error: message, field: field.name, fieldIndex: field.index }
      : { ok: false, error: message };
  }
}

/** Query parameters of GET …/preview?expression=…&tz=…&relative=…&dst=… */
export function previewFromQuery(query: Record<string, unknown>): PreviewAnswer {
  const text = (key: string): string => (typeof query[key] === 'string' ? (query[key] as string) : '');
  const dst = text('dst');
  return previewExpression({
    expression: text('expression'),
    timeZone: text('tz').trim() || undefined,
    relative: text('relative') === 'true',
    dst: dst === 'once' || dst === 'both' ? dst : 'auto',
  });
}
