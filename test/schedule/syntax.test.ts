import assert from 'node:assert/strict';
import { InputError } from '../../src/common/errors';
import { CronSyntaxError, parseCron } from '../../src/schedule';

function syntaxError(expression: string): CronSyntaxError {
  try {
    parseCron(expression);
  } catch (err) {
    assert.ok(err instanceof CronSyntaxError, `expected CronSyntaxError, got ${String(err)}`);
    assert.ok(err instanceof InputError);
    return err;
  }
  assert.fail(`"${expression}" was accepted`);
}

/** [expression, field name, field index, message] */
const errors: [string, string | null, number | null, string][] = [
  ['* * * * * 8', 'day-of-week', 5, 'day-of-week field "8": value 8 out of range 0-7'],
  ['60 * * * * *', 'second', 0, 'second field "60": value 60 out of range 0-59'],
  ['0 60 * * * *', 'minute', 1, 'minute field "60": value 60 out of range 0-59'],
  ['61 * * * *', 'minute', 0, 'minute field "61": value 61 out of range 0-59'],
  ['0 0 24 * * *', 'hour', 2, 'hour field "24": value 24 out of range 0-23'],
  ['0 0 0 0 * ?', 'day-of-month', 3, 'day-of-month field "0": value 0 out of range 1-31'],
  ['0 0 0 32W * ?', 'day-of-month', 3, 'day-of-month field "32W": value 32 out of range 1-31'],
  ['0 0 0 1 13 ?', 'month', 4, 'month field "13": value 13 out of range 1-12'],
  ['0 0 0 1 FOO ?', 'month', 4, 'month field "FOO": unknown name or value "FOO"'],
  ['0 0 0 1 1 ? 1969', 'year', 6, 'year field "1969": value 1969 out of range 1970-9999'],
  [
    '0 0 0 1 1 ? 2030-2020',
    'year',
    6,
    'year field "2030-2020": range 2030-2020 is reversed (years do not wrap around)',
  ],
  ['0 0 0 ? * %2', 'day-of-week', 5, 'day-of-week field "%2": monotonic "%" is not allowed in day-of-week'],
  ['%0 * * * * *', 'second', 0, 'second field "%0": monotonic period must be at least 1'],
  ['? * * * * *', 'second', 0, 'second field "?": "?" is only allowed in day-of-month and day-of-week'],
  ['0 0 0 ?,1 * *', 'day-of-month', 3, 'day-of-month field "?,1": "?" must be alone in its field'],
  ['*,5 * * * * *', 'second', 0, 'second field "*,5": "*" must be alone in its field'],
  ['*/0 * * * * *', 'second', 0, 'second field "*/0": step must be at least 1'],
  ['1,,2 * * * * *', 'second', 0, 'second field "1,,2": empty list item'],
  ['0 0 0 ? * 1#6', 'day-of-week', 5, 'day-of-week field "1#6": #6: occurrence out of range 1-5'],
  ['0 0 L * * *', 'hour', 2, 'hour field "L": "L" is not valid here (L, W and # belong to the day fields)'],
  [
    '0 0 0 ? * L',
    'day-of-week',
    5,
    'day-of-week field "L": "L" alone is ambiguous in day-of-week; write nL (e.g. 5L = last Friday)',
  ],
  ['a * * * * *', 'second', 0, 'second field "a": "A" is not a number'],
  ['* * * *', null, null, 'cron expression: expected 5, 6 or 7 fields, got 4'],
  ['* * * * * * * *', null, null, 'cron expression: expected 5, 6 or 7 fields, got 8'],
  ['', null, null, 'cron expression: expected 5, 6 or 7 fields, got 0'],
];

describe('schedule: syntax errors point at the field', () => {
  for (const [expression, name, index, message] of errors) {
    it(`"${expression}"`, () => {
      const err = syntaxError(expression);
      assert.equal(err.message, message);
      assert.equal(err.field?.name ?? null, name);
      assert.equal(err.field?.index ?? null, index);
      assert.equal(err.code, 'INPUT');
      assert.ok(err.reason.length > 0 && message.endsWith(err.reason));
    });
  }

  it('accepts every documented form', () => {
    for (const ok of [
      '0 5 * ? * * *',
      '0 * %2 ? * * *',
      '%2 * * ? * * *',
      '0 15%15 * ? * * *',
      '7%7 * * ? * *',
      '0 0 0 LW,L-3,15W,L * ?',
      '0 0 0 ? * 1L,MON#2,fri',
      '0 0 23-3 * Jan-Mar SUN-SAT 2024-2030/2',
      '0 0 6-16 * * *',
      '  0   5  16  17  5  ?  ',
    ]) {
      assert.doesNotThrow(() => parseCron(ok), ok);
    }
  });
});
