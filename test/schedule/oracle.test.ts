/**
 * Differential check against cron-parser for the standard subset (no year, W, L-n, wrap-around or
 * monotonic fields) in zones and periods without DST transitions, where both must agree exactly.
 */
import assert from 'node:assert/strict';
import { CronExpressionParser } from 'cron-parser';
import { CronSchedule } from '../../src/schedule';
import { at, isoList } from './helpers';

const expressions = [
  '* * * * * *',
  '*/7 * * * * *',
  '0 */5 * * * *',
  '15,45 10-20/3 * * * *',
  '0 0 9-17 * * 1-5',
  '0 30 6 1,15 * *',
  '0 0 0 L * *',
  '0 0 12 * * 5L',
  '0 0 12 * * 2#3',
  '0 0 0 13 * 5',
  '0 0 0 1 JAN,JUN *',
  '0 15 10 * * SUN',
  '0 0 */6 * * *',
  '30 */10 * * *',
  '0 0 1 * *',
];

describe('schedule: agrees with cron-parser on the standard subset', () => {
  for (const timeZone of ['UTC', 'Asia/Tokyo']) {
    for (const expression of expressions) {
      it(`${expression} in ${timeZone}`, () => {
        const from = at('2024-02-27T10:11:12Z');
        const theirs = CronExpressionParser.parse(expression, { currentDate: new Date(from), tz: timeZone })
          .take(25)
          .map((d) => d.getTime());
        const ours = new CronSchedule(expression, { timeZone }).nextN(from, 25);
        assert.deepEqual(isoList(ours), isoList(theirs));
      });
    }
  }
});
