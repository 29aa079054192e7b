/**
 * Every search is bounded in work: huge monotonic periods are computed arithmetically, periods no
 * field can count are refused, and expressions whose fields (almost) never line up stop at the
 * search budget with a clear InputError. Each call is timed: it must return (or throw) within 50 ms
 * of CPU, also on a loaded machine (before the bounded search, `%3000000000 * * * * *` blocked for 11–14 s).
 */
import assert from 'node:assert/strict';
import { InputError } from '../../src/common/errors';
import { CronSchedule, CronSearchLimitError, CronSyntaxError, Scheduler } from '../../src/schedule';
import { at, isoList } from './helpers';

const BOUND_MS = 50;
const FROM = at('2026-12-01T10:20:00Z');

/**
 * Runs fn and checks the CPU time it took (the process's, not the wall clock's: the machine may be
 * busy with other work, and it is the work an expression causes that must be bounded).
 */
function timed<T>(what: string, fn: () => T): T {
  const started = process.cpuUsage();
  try {
    return fn();
  } finally {
    const used = process.cpuUsage(started);
    const took = (used.user + used.system) / 1000;
    assert.ok(took < BOUND_MS, `${what} took ${took.toFixed(1)} ms of CPU`);
  }
}

/** The next firings, or the error thrown, within the bound. */
function attempt(expression: string, options: ConstructorParameters<typeof CronSchedule>[1] = {}, n = 3) {
  return timed(expression, () => {
    try {
      return {
        firings: isoList(new CronSchedule(expression, { timeZone: 'UTC', ...options }).nextN(FROM, n)),
      };
    } catch (err) {
      return { error: err };
    }
  });
}

describe('schedule: bounded search', () => {
  before(() => {
    // Warm the code paths once so that the bound measures the search, not the first compilation.
    new CronSchedule('%7 %11 * ? * *', { timeZone: 'Europe/Berlin' }).nextN(FROM, 3);
  });

  it('computes a monotonic second field with a period of 95 years arithmetically', () => {
    assert.deepEqual(attempt('%3000000000 * * * * *', {}, 2).firings, [
      '2065-01-24T05:20:00Z',
      '2160-02-18T10:40:00Z',
    ]);
  });

  it('finds %99999999999 seconds (year 5138) in a zone with DST', () => {
    // Counted in the zone's wall time (CET in November): 08:46:39 UTC is 09:46:39 on the wall.
    assert.deepEqual(attempt('%99999999999 * * * * *', { timeZone: 'Europe/Berlin' }, 1).firings, [
      '5138-11-16T08:46:39Z',
    ]);
  });

  it('reaches the year 9999 across thousands of DST transitions in one search', () => {
    assert.deepEqual(attempt('0 0 0 1 1 ? 9999', { timeZone: 'Europe/Berlin' }).firings, [
      '9998-12-31T23:00:00Z',
    ]);
    assert.deepEqual(attempt('0 0 0 1 1 ? 9999', { timeZone: 'Asia/Tokyo' }).firings, [
      '9998-12-31T15:00:00Z',
    ]);
  });

  it('answers "never" for impossible dates at once, with or without a year range', () => {
    for (const expression of ['0 0 0 30 2 ?', '0 0 0 31 4,6,9,11 ? 2030-9999', '0 0 0 L-30 2 ? %1']) {
      assert.deepEqual(attempt(expression).firings, [], expression);
    }
  });

  it('jumps over hours, days and months counted monotonically', () => {
    assert.deepEqual(attempt('0 0 %70000000 ? * * *').firings, ['9955-07-25T16:00:00Z']);
    assert.deepEqual(attempt('0 0 0 %2900000 * ?').firings, ['9909-12-07T00:00:00Z']);
    assert.deepEqual(attempt('0 0 0 1 %96000 ?').firings, ['9970-01-01T00:00:00Z']);
    assert.deepEqual(attempt('0 0 0 1 1 ? %8000').firings, ['9970-01-01T00:00:00Z']);
  });

  it('refuses periods and offsets that no field can count, naming the field', () => {
    for (const [expression, field] of [
      ['%300000000000 * * * * *', 'second'],
      ['0 %5000000000 * ? * *', 'minute'],
      ['0 0 %80000000 ? * *', 'hour'],
      ['0 0 0 %3000000 * ?', 'day-of-month'],
      ['0 0 0 1 %100000 ?', 'month'],
      ['0 0 0 1 1 ? %9000', 'year'],
      ['300000000000%5 * * * * *', 'second'],
      ['%99999999999999999999 * * * * *', 'second'],
    ] as const) {
      const { error } = attempt(expression);
      assert.ok(error instanceof CronSyntaxError, `${expression}: ${String(error)}`);
      assert.equal(error.field?.name, field, expression);
    }
  });

  it('stops at the search budget when the fields never line up, with a clear InputError', () => {
    // Every second minute has its second 0 on a multiple of 120 s, but only odd minutes are listed.
    for (const expression of ['%120 1/2 * ? * *', '0 0 0 31 1%12 ?', '%3600 1-59 * ? * * %1']) {
      const { error } = attempt(expression);
      assert.ok(error instanceof CronSearchLimitError, `${expression}: ${String(error)}`);
      assert.ok(error instanceof InputError);
      assert.match(error.message, /cannot be found within the search limit/);
    }
  });

  it('refuses over-long expressions before parsing them, and quotes hostile text capped', () => {
    const huge = `${'1,'.repeat(500_000)}1 * * * * *`;
    const { error } = attempt(huge);
    assert.ok(error instanceof CronSyntaxError);
    assert.match(error.message, /longer than 1000 characters/);
    const { error: quoted } = attempt(`${'x'.repeat(900)}\u001b[31m * * * * *`);
    assert.ok(quoted instanceof CronSyntaxError);
    assert.ok(quoted.message.length < 200, quoted.message);
    assert.doesNotMatch(quoted.message, /\u001b/);
  });

  it('a scheduler refuses an expression it cannot search, within the bound', () => {
    const scheduler = new Scheduler<null>({ onFire: () => undefined });
    assert.throws(
      () => timed('add', () => scheduler.add('x', '%120 1/2 * ? * *', { payload: null, timeZone: 'UTC' })),
      CronSearchLimitError,
    );
    timed('add huge period', () =>
      scheduler.add('y', '%3000000000 * * * * *', { payload: null, timeZone: 'UTC' }),
    );
    assert.equal(isoList([scheduler.get('y')?.nextAt ?? 0])[0], '2065-01-24T05:20:00Z');
    scheduler.clear();
  });

  it('keeps every expression of a hostile sweep within the bound', () => {
    const periods = ['1', '7', '59', '61', '3599', '86401', '3000000000', '99999999999'];
    const others = ['*', '0', '1/2', '%13', '59', '5-7', 'L', 'LW', '15W', '1#5', '5L', '%2900000'];
    let count = 0;
    for (const p of periods) {
      for (const o of others) {
        for (const layout of [
          `%${p} ${o} * ? * *`,
          `0 %${p} ${o} ? * *`,
          `${o === 'L' || o === 'LW' || o === '15W' ? '0' : o} 0 %${p} ? * *`,
          `0 0 0 ${/[#L]$/.test(o) && o !== 'L' ? '?' : o.replace(/^1\/2$/, '*/2')} * ${/#|5L/.test(o) ? o : '?'} %${Math.min(Number(p), 8000)}`,
        ]) {
          count++;
          attempt(layout, { timeZone: count % 2 ? 'UTC' : 'America/New_York' }, 5);
        }
      }
    }
    assert.ok(count >= 300, `${count} expressions`);
  });
});
