import assert from 'node:assert/strict';
import { CronSchedule, datetimeToCron, offsetToRelativeCron } from '../../src/schedule';
import { at, firings, isoList } from './helpers';

const START = '2019-05-17T13:14:00Z';
const relative = { relativeTo: at(START) };

describe('schedule: relative schedules (camera_relative)', () => {
  it('0 5 * ? * * * fires 5 minutes into every hour after the start (vendor example)', () => {
    assert.deepEqual(firings('0 5 * ? * * *', START, 3, relative), [
      '2019-05-17T13:19:00Z',
      '2019-05-17T14:19:00Z',
      '2019-05-17T15:19:00Z',
    ]);
  });

  it('0 * %2 ? * * * fires every 2 hours from the start, not at the start itself (vendor example)', () => {
    assert.deepEqual(firings('0 * %2 ? * * *', START, 3, relative), [
      '2019-05-17T15:14:00Z',
      '2019-05-17T17:14:00Z',
      '2019-05-17T19:14:00Z',
    ]);
    // Asked from before the start: still the first firing after the start.
    assert.deepEqual(firings('0 * %2 ? * * *', '2019-05-17T00:00:00Z', 1, relative), [
      '2019-05-17T15:14:00Z',
    ]);
  });

  it('%2 toggles every 2 s and 7%7 fires at 7, 14, 21 s (README.cron examples)', () => {
    assert.deepEqual(firings('%2 * * ? * * *', START, 3, relative), [
      '2019-05-17T13:14:02Z',
      '2019-05-17T13:14:04Z',
      '2019-05-17T13:14:06Z',
    ]);
    assert.deepEqual(firings('%7 * * ? * *', START, 3, relative), [
      '2019-05-17T13:14:07Z',
      '2019-05-17T13:14:14Z',
      '2019-05-17T13:14:21Z',
    ]);
    assert.deepEqual(firings('7%7 * * ? * *', START, 2, relative), [
      '2019-05-17T13:14:07Z',
      '2019-05-17T13:14:14Z',
    ]);
  });

  it('0 15%15 and 0 15,45 turn an LED on 15 min after start and every 30/15 min (vendor recipe)', () => {
    assert.deepEqual(firings('0 15,45 * ? * * *', START, 3, relative), [
      '2019-05-17T13:29:00Z',
      '2019-05-17T13:59:00Z',
      '2019-05-17T14:29:00Z',
    ]);
    assert.deepEqual(firings('0 15%15 * ? * * *', START, 3, relative), [
      '2019-05-17T13:29:00Z',
      '2019-05-17T13:44:00Z',
      '2019-05-17T13:59:00Z',
    ]);
  });

  it('a one-shot "17 s after start" fires once', () => {
    const expression = offsetToRelativeCron(17_000);
    assert.equal(expression, '17 0 0 1 1 ? 1970');
    assert.deepEqual(firings(expression, START, 2, relative), ['2019-05-17T13:14:17Z']);
  });

  it('ignores the time zone and DST: relative offsets are real elapsed time', () => {
    const start = at('2024-10-27T00:30:00Z'); // 30 min before the Vienna fall-back
    const schedule = new CronSchedule('0 0 * ? * * *', { relativeTo: start, timeZone: 'Europe/Vienna' });
    assert.deepEqual(isoList(schedule.nextN(start, 3)), [
      '2024-10-27T01:30:00Z',
      '2024-10-27T02:30:00Z',
      '2024-10-27T03:30:00Z',
    ]);
  });
});

describe('schedule: datetimeToCron', () => {
  it('formats the documented examples', () => {
    assert.equal(datetimeToCron(new Date('2019-05-17T16:05:00Z'), 'UTC'), '0 5 16 17 5 ?');
    assert.equal(datetimeToCron(new Date('2024-01-02T03:04:05.999Z'), 'UTC'), '5 4 3 2 1 ?');
    assert.equal(datetimeToCron(new Date('2024-12-31T23:59:59Z'), 'UTC'), '59 59 23 31 12 ?');
  });

  it('uses the wall time of the given zone (the documented recipe at epoch + 17 s)', () => {
    const date = new Date(17_000);
    assert.equal(datetimeToCron(date, 'UTC'), '17 0 0 1 1 ?');
    assert.equal(datetimeToCron(date, 'Europe/Vienna'), '17 0 1 1 1 ?');
    assert.equal(datetimeToCron(date, 'America/New_York'), '17 0 19 31 12 ?');
  });

  it('withYear appends the year so the expression fires exactly once', () => {
    const expression = datetimeToCron(new Date('2030-05-17T16:05:00Z'), 'Europe/Vienna', { withYear: true });
    assert.equal(expression, '0 5 18 17 5 ? 2030');
    const schedule = new CronSchedule(expression, { timeZone: 'Europe/Vienna' });
    assert.deepEqual(isoList(schedule.nextN(at('2024-01-01T00:00:00Z'), 3)), ['2030-05-17T16:05:00Z']);
  });

  it('rejects an invalid date and an unknown zone', () => {
    assert.throws(() => datetimeToCron(new Date(NaN), 'UTC'), /invalid date/);
    assert.throws(() => datetimeToCron(new Date(0), 'Mars/Olympus'), /unknown time zone "Mars\/Olympus"/);
  });
});
