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
    super(field ? `${field.name} field "${fieldText ?? ''}": ${reason}` : `cron expression: ${reason}`);
    this.name = 'CronSyntaxError';
    this.field = field;
    this.reason = reason;
    this.fieldText = fieldText;
  }
}
