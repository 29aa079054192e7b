import assert from 'node:assert/strict';
import { describe as describeCron } from '../../src/schedule';

const cases: [string, string][] = [
  ['0 5 * ? * * *', 'at second 0 of minute 5 of every hour'],
  ['0 * %2 ? * * *', 'every 2 hours counted from 1970-01-01'],
  ['%2 * * ? * * *', 'every 2 seconds counted from 1970-01-01'],
  ['0 15%15 * ? * * *', 'every 15 minutes from minute 15 counted from 1970-01-01'],
  ['*/15 * * * * *', 'every 15 seconds'],
  ['* * * * * *', 'every second'],
  ['0 0,30 * ? * * *', 'at second 0 of minutes 0 and 30 of every hour'],
  ['0 0 9 ? * MON-FRI', 'at second 0 of minute 0 of hour 9, on Monday to Friday'],
  ['0 9 * * 1-5', 'at minute 0 of hour 9, on Monday to Friday'],
  ['0 30 2 L * ? 2025', 'at second 0 of minute 30 of hour 2, on the last day of the month, in 2025'],
  ['0 0 12 15W * ?', 'at second 0 of minute 0 of hour 12, on the weekday nearest day 15'],
  ['0 0 0 ? * 5L', 'at second 0 of minute 0 of hour 0, on the last Friday of the month'],
  ['0 0 0 ? * 1#2', 'at second 0 of minute 0 of hour 0, on the 2nd Monday of the month'],
  ['0 0 0 LW * ?', 'at second 0 of minute 0 of hour 0, on the last weekday of the month'],
  ['0 0 0 L-2 * ?', 'at second 0 of minute 0 of hour 0, on 2 days before the last day of the month'],
  ['0 0 12 1 jan,jul ?', 'at second 0 of minute 0 of hour 12, on day 1, in January and July'],
  ['0 0 12 13 * 5', 'at second 0 of minute 0 of hour 12, on day 13 or on Friday'],
  ['0 0 9-17 * * *', 'at second 0 of minute 0 of hours 9 to 17'],
];

describe('schedule: describe', () => {
  for (const [expression, text] of cases) {
    it(expression, () => assert.equal(describeCron(expression), text));
  }

  describe('relative schedules in words relative to the start, not the synthetic wall clock', () => {
    const relative: [string, string][] = [
      ['0 30 0 1 1 ?', '30 minutes after start; again from 365 days 30 minutes after start'],
      ['0 30 0 1 1 ? 1970', '30 minutes after start'],
      ['17 0 0 1 1 ? 1970', '17 seconds after start'],
      ['0 30/5 0 1 1 ? 1970', '30 minutes after start, then every 5 minutes until 55 minutes after start'],
      ['%5 * * ? * * *', '5 seconds after start, then every 5 seconds'],
      ['0 * %2 ? * * *', '2 hours after start, then every 2 hours'],
      ['0 0 9 * * *', '9 hours after start, then every day'],
      [
        '20%40 1-59 * ? * * *',
        '1 minute after start, then every 40 seconds until 59 minutes 40 seconds after start; ' +
          'again from 1 hour 1 minute after start, every 40 seconds',
      ],
      ['0 0 0 1 1 ? 1970', 'never fires after the start'],
    ];
    for (const [expression, text] of relative) {
      it(expression, () => assert.equal(describeCron(expression, { relative: true }), text));
    }
  });

  it('throws the syntax error for a bad expression', () => {
    assert.throws(() => describeCron('0 0 25 * * *'), /hour field "25"/);
  });
});
