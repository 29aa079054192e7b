import { InputError } from '../common/errors';
import type { CronFieldName } from './fields';

/** Which field of an expression an error points at; `index` is its 0-based position as written. */
export interface CronFieldRef {
  readonly name: CronFieldName;
  readonly index: number;
}

/**
 * A cron expression that cannot be parsed. `field` is null when the expression as a whole is wrong
 * (for example the wrong number of fields). The message names the field and the offending text so an
 * editor can show it next to the input, e.g. `day-of-week field "8": value 8 out of range 0-7`.
 */
export class CronSyntaxError extends InputError {
  readonly field: CronFieldRef | null;
  readonly reason: string;
  readonly fieldText: string | null;

  constructor(reason: string, field: CronFieldRef | null = null, fieldText: string | null = null) {
    // Hostile input stays short and printable in the message (the reason may quote an item).
    const shown = quoteExpression(reason, 100);
    super(
      field
        ? `${field.name} field "${quoteExpression(fieldText ?? '')}": ${shown}`
        : `cron expression: ${shown}`,
    );
    this.name = 'CronSyntaxError';
    this.field = field;
    this.reason = shown;
    this.fieldText = fieldText;
  }
}

/** Expression text for an error message: control characters blanked, at most `limit` characters. */
export function quoteExpression(text: string, limit = 60): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > limit ? `${clean.slice(0, limit)}…` : clean;
}

/**
 * The next firing of an expression could not be found within the search budget (see
 * wall-search.ts): the expression combines fields so that matches are too rare to find quickly
 * (for example a monotonic second field that never lines up with the listed minutes).
 */
export class CronSearchLimitError extends InputError {
  constructor(expression: string) {
    super(
      `cron expression "${quoteExpression(expression)}": its next firing cannot be found within the search limit; ` +
        'the fields rarely or never line up — simplify the expression',
    );
    this.name = 'CronSearchLimitError';
  }
}
