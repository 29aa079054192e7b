import assert from 'node:assert/strict';
import { CronSyntaxError, Scheduler, type MissedPolicy, type ScheduleEntry } from '../../src/schedule';
import { at, isoList } from './helpers';
import { ManualClock } from './manual-clock';

interface Fired {
  id: string;
  scheduledAt: number;
  firedAt: number;
  payload: string;
}

function setup(start = '2024-01-01T00:00:00Z', missed: MissedPolicy = 'skip') {
  const clock = new ManualClock(at(start));
  const fired: Fired[] = [];
  const scheduler = new Scheduler<string>({
    clock,
    missed,
    onFire: (entry: ScheduleEntry<string>, scheduledAt, firedAt) =>
      fired.push({ id: entry.id, scheduledAt, firedAt, payload: entry.payload }),
  });
  return { clock, fired, scheduler };
}

const UTC = 'UTC';

describe('schedule: Scheduler', () => {
  it('fires entries at their times with payload, scheduledAt and firedAt', () => {
    const { clock, fired, scheduler } = setup();
    scheduler.add('a', '*/10 * * * * *', { payload: 'A', timeZone: UTC });
    scheduler.add('b', '0 * * * * *', { payload: 'B', timeZone: UTC });
    scheduler.start();
    clock.advance(60_000);
    assert.deepEqual(
      fired.map((f) => `${f.id}@${new Date(f.scheduledAt).toISOString().slice(14, 19)}`),
      ['a@00:10', 'a@00:20', 'a@00:30', 'a@00:40', 'a@00:50', 'a@01:00', 'b@01:00'],
    );
    assert.ok(fired.every((f) => f.firedAt === f.scheduledAt && (f.payload === 'A' || f.payload === 'B')));
    assert.equal(scheduler.get('a')?.fireCount, 6);
    scheduler.stop();
  });

  it('keeps exactly one timer for many entries and does not re-arm for later additions', () => {
    const { clock, scheduler } = setup();
    scheduler.start();
    scheduler.add('first', '* * * * * *', { payload: '', timeZone: UTC });
    const armed = clock.setCount;
    for (let i = 0; i < 500; i++)
      scheduler.add(`e${i}`, `${i % 60} * * * * *`, { payload: '', timeZone: UTC });
    assert.equal(clock.activeTimers, 1);
    assert.equal(clock.setCount, armed, 'later entries did not re-arm the timer');
    clock.advance(5_000);
    assert.equal(clock.activeTimers, 1);
    scheduler.stop();
    assert.equal(clock.activeTimers, 0);
  });

  it('pause stops firing, resume continues from now without replaying', () => {
    const { clock, fired, scheduler } = setup();
    scheduler.add('p', '* * * * * *', { payload: '', timeZone: UTC });
    scheduler.start();
    clock.advance(3_000);
    assert.equal(fired.length, 3);
    assert.equal(scheduler.pause('p'), true);
    assert.equal(scheduler.get('p')?.paused, true);
    assert.equal(scheduler.get('p')?.nextAt, null);
    clock.advance(10_000);
    assert.equal(fired.length, 3);
    assert.equal(clock.activeTimers, 0, 'no timer while nothing is active');
    scheduler.resume('p');
    clock.advance(2_000);
    assert.deepEqual(isoList(fired.slice(3).map((f) => f.scheduledAt)), [
      '2024-01-01T00:00:14Z',
      '2024-01-01T00:00:15Z',
    ]);
    assert.equal(scheduler.pause('nope'), false);
    scheduler.stop();
  });

  it('remove and update take effect, also from inside a callback', () => {
    const clock = new ManualClock(at('2024-01-01T00:00:00Z'));
    const seen: string[] = [];
    const scheduler: Scheduler<number> = new Scheduler<number>({
      clock,
      onFire: (entry) => {
        seen.push(`${entry.id}:${entry.payload}`);
        if (entry.id === 'once') scheduler.remove('once');
        if (entry.id === 'morph' && entry.payload === 1)
          scheduler.update('morph', '*/5 * * * * *', { payload: 2, timeZone: UTC });
      },
    });
    scheduler.add('once', '* * * * * *', { payload: 0, timeZone: UTC });
    scheduler.add('morph', '* * * * * *', { payload: 1, timeZone: UTC });
    scheduler.add('gone', '* * * * * *', { payload: 9, timeZone: UTC });
    assert.equal(scheduler.remove('gone'), true);
    assert.equal(scheduler.remove('gone'), false);
    scheduler.start();
    clock.advance(10_000);
    assert.deepEqual(seen, ['once:0', 'morph:1', 'morph:2', 'morph:2']);
    assert.deepEqual(
      scheduler.list().map((e) => e.id),
      ['morph'],
    );
    scheduler.stop();
  });

  it('rejects duplicates, unknown ids and bad expressions with input errors', () => {
    const { scheduler } = setup();
    scheduler.add('x', '* * * * * *', { payload: '' });
    assert.throws(() => scheduler.add('x', '* * * * * *', { payload: '' }), /already exists/);
    assert.throws(() => scheduler.update('y', '* * * * * *', { payload: '' }), /no schedule named "y"/);
    assert.throws(() => scheduler.add('z', '* * * * * 9', { payload: '' }), CronSyntaxError);
    assert.throws(
      () => scheduler.add('tz', '* * * * * *', { payload: '', timeZone: 'Nowhere/City' }),
      /unknown time zone/,
    );
    assert.equal(scheduler.size, 1);
  });

  it('nextFirings lists the coming firings from now', () => {
    const { scheduler } = setup('2019-05-17T13:14:00Z');
    scheduler.add('rel', '0 * %2 ? * * *', { payload: '', relativeTo: at('2019-05-17T13:14:00Z') });
    assert.deepEqual(isoList(scheduler.nextFirings('rel', 2)), [
      '2019-05-17T15:14:00Z',
      '2019-05-17T17:14:00Z',
    ]);
  });

  it('missed firings: skip drops them, fireOnceLate fires once, both continue on time', () => {
    for (const policy of ['skip', 'fireOnceLate'] as const) {
      const { clock, fired, scheduler } = setup('2024-01-01T00:00:00Z', policy);
      scheduler.add('m', '0 * * * * *', { payload: '', timeZone: UTC });
      scheduler.start();
      clock.advance(60_000); // fires 00:01:00
      clock.block(5 * 60_000 + 30_000); // blocked until 00:06:30: 00:02 … 00:06 missed
      clock.advance(60_000);
      const times = fired.map(
        (f) =>
          `${new Date(f.scheduledAt).toISOString().slice(11, 19)}/${new Date(f.firedAt).toISOString().slice(11, 19)}`,
      );
      if (policy === 'skip') assert.deepEqual(times, ['00:01:00/00:01:00', '00:07:00/00:07:00']);
      else assert.deepEqual(times, ['00:01:00/00:01:00', '00:02:00/00:06:30', '00:07:00/00:07:00']);
      scheduler.stop();
    }
  });

  it('per-entry missed policy overrides the scheduler default', () => {
    const { clock, fired, scheduler } = setup('2024-01-01T00:00:00Z', 'skip');
    scheduler.add('late', '0 * * * * *', { payload: '', timeZone: UTC, missed: 'fireOnceLate' });
    scheduler.add('skip', '0 * * * * *', { payload: '', timeZone: UTC });
    scheduler.start();
    clock.block(150_000);
    clock.advance(0);
    assert.deepEqual(
      fired.map((f) => f.id),
      ['late'],
    );
    scheduler.stop();
  });

  it('a clock jumping forward is handled by the missed policy', () => {
    const { clock, fired, scheduler } = setup();
    scheduler.add('h', '0 0 * * * *', { payload: '', timeZone: UTC });
    scheduler.start();
    clock.jump(3 * 3600_000 + 10 * 60_000); // NTP step to 03:10
    clock.advance(60_000); // the capped timer wakes within a minute
    assert.equal(fired.length, 0, 'the jumped-over hours are skipped');
    clock.advance(3600_000);
    assert.deepEqual(isoList(fired.map((f) => f.scheduledAt)), ['2024-01-01T04:00:00Z']);
    scheduler.stop();
  });

  it('a clock jumping backwards re-evaluates entries', () => {
    const { clock, fired, scheduler } = setup('2024-01-01T10:10:00Z');
    scheduler.add('half', '0 30 * * * *', { payload: '', timeZone: UTC });
    scheduler.start();
    clock.jump(-3600_000); // back to 09:10; the stored next (10:30) is now 80 min away
    clock.advance(21 * 60_000); // until 09:31
    assert.deepEqual(isoList(fired.map((f) => f.scheduledAt)), ['2024-01-01T09:30:00Z']);
    scheduler.stop();
  });

  it('caps long waits far below the setTimeout limit', () => {
    const { clock, fired, scheduler } = setup();
    scheduler.add('y', '0 0 0 1 1 ? 2025', { payload: '', timeZone: UTC });
    scheduler.start();
    const before = clock.setCount;
    clock.advance(366 * 24 * 3600_000);
    assert.deepEqual(isoList(fired.map((f) => f.scheduledAt)), ['2025-01-01T00:00:00Z']);
    assert.ok(clock.setCount - before >= 366 * 24 * 60 - 1, 'the timer waited at most a minute at a time');
    assert.equal(scheduler.get('y')?.nextAt, null, 'no further firing');
    assert.equal(clock.activeTimers, 0);
    scheduler.stop();
  });

  it('keeps firing every 15 s through the Vienna fall-back hour', () => {
    const { clock, fired, scheduler } = setup('2024-10-27T00:00:00Z');
    scheduler.add('q', '*/15 * * * * *', { payload: '', timeZone: 'Europe/Vienna' });
    scheduler.start();
    clock.advance(2 * 3600_000);
    assert.equal(fired.length, 480);
    scheduler.stop();
  });

  it('a throwing callback is reported and does not stop other entries', () => {
    const clock = new ManualClock(at('2024-01-01T00:00:00Z'));
    const errors: string[] = [];
    let good = 0;
    const scheduler = new Scheduler<null>({
      clock,
      onFire: (entry) => {
        if (entry.id === 'bad') throw new Error('boom');
        good++;
      },
      onError: (err, entry) => errors.push(`${entry.id}: ${(err as Error).message}`),
    });
    scheduler.add('bad', '* * * * * *', { payload: null, timeZone: UTC });
    scheduler.add('good', '* * * * * *', { payload: null, timeZone: UTC });
    scheduler.start();
    clock.advance(2_000);
    assert.deepEqual(errors, ['bad: boom', 'bad: boom']);
    assert.equal(good, 2);
    scheduler.stop();
  });

  it('handles 10,000 entries with one timer, on time', () => {
    const { clock, fired, scheduler } = setup();
    const started = process.hrtime.bigint();
    for (let i = 0; i < 10_000; i++) {
      const zone = i % 3 === 0 ? 'Europe/Vienna' : i % 3 === 1 ? 'America/New_York' : UTC;
      scheduler.add(`s${i}`, `${i % 60} ${Math.floor(i / 60) % 60} * * * *`, { payload: '', timeZone: zone });
    }
    const addMs = Number(process.hrtime.bigint() - started) / 1e6;
    scheduler.start();
    assert.equal(clock.activeTimers, 1);
    clock.advance(3600_000);
    assert.equal(fired.length, 10_000, 'each entry fires once an hour');
    assert.ok(fired.every((f) => f.firedAt === f.scheduledAt));
    assert.ok(addMs < 2000, `adding 10,000 entries took ${addMs} ms`);
    scheduler.clear();
    assert.equal(scheduler.size, 0);
    assert.equal(clock.activeTimers, 0);
  });

  it('runs on real timers by default', async () => {
    const fired: number[] = [];
    const scheduler = new Scheduler<null>({
      onFire: (_e, scheduledAt, firedAt) => fired.push(firedAt - scheduledAt),
    });
    scheduler.add('r', '* * * * * *', { payload: null });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    scheduler.stop();
    assert.ok(fired.length >= 1);
    assert.ok(
      fired.every((late) => late >= 0 && late < 100),
      `lateness ${fired.join(',')}`,
    );
  });
});
