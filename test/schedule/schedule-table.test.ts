/**
 * recorder-schedule's table across a restart, on a manual clock: what `snapshot()` keeps and
 * `restore()` brings back (dynamic schedules, paused names, the relative start, firing counts), and
 * the one late firing owed for a run missed while Node-RED was down (`fireOnceLate`).
 */
import assert from 'node:assert/strict';
import type { Firing } from '../../nodes/recorder-schedule/table';
import { ManualClock } from './manual-clock';
import { definition, table } from './table-helpers';

const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);

/** JSON round trip, as a file context store does it. */
const stored = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

describe('schedule: recorder-schedule state across a restart', () => {
  it('brings back dynamic schedules, paused state, the relative start and counts', () => {
    const clock = new ManualClock(T0);
    const fired: Firing[] = [];
    const before = table(clock, fired);
    before.add(definition('fixed', '0 0 12 * * *'));
    before.add(definition('dyn', '*/10 * * * * *', { dynamic: true, payload: { p: 1 } }));
    before.add(definition('rel', '%5 * * ? * * *', { dynamic: true, relative: true }));
    before.start();
    before.startRelative(T0 + 2000);
    before.pause('fixed');
    clock.advance(20_000);
    assert.equal(fired.filter((f) => f.definition.name === 'dyn').length, 2);
    const saved = stored(before.snapshot());
    before.stop();

    const after = table(clock, []);
    after.add(definition('fixed', '0 0 12 * * *'));
    assert.deepEqual(after.restore(saved), { problems: [], replaced: [] });
    after.start();
    assert.equal(after.relativeStart, T0 + 2000);
    const info = Object.fromEntries(after.list().map((s) => [s.name, s]));
    assert.equal(info.fixed?.paused, true);
    assert.deepEqual(info.dyn?.payload, { p: 1 });
    assert.equal(info.dyn?.count, 2);
    assert.equal(info.rel?.count, fired.filter((f) => f.definition.name === 'rel').length);
    for (const at of after.next('rel', 3)) assert.equal((at - (T0 + 2000)) % 5000, 0);
    after.stop();
  });

  it('owes one late firing for a run missed while down, with fireOnceLate only', () => {
    for (const missed of ['fireOnceLate', 'skip'] as const) {
      const clock = new ManualClock(T0);
      const before = table(clock, [], missed);
      before.add(definition('tick', '*/10 * * * * *'));
      before.start();
      clock.advance(10_000);
      const saved = stored(before.snapshot());
      before.stop();
      clock.jump(60_000); // down for a minute: firings at +20 s … +70 s were missed
      const fired: Firing[] = [];
      const after = table(clock, fired, missed);
      after.add(definition('tick', '*/10 * * * * *'));
      after.add(definition('new', '*/10 * * * * *')); // not known when saved: owes nothing
      after.restore(saved);
      after.start();
      after.catchUp();
      if (missed === 'skip') {
        assert.equal(fired.length, 0);
        continue;
      }
      assert.equal(fired.length, 1);
      assert.equal(fired[0]?.definition.name, 'tick');
      assert.equal(fired[0]?.catchUp, true);
      assert.equal(fired[0]?.scheduledAt, T0 + 20_000, 'the first missed firing');
      assert.equal(fired[0]?.count, 2);
      after.stop();
    }
  });

  it('owes nothing when the restart came before the next firing, or for a paused schedule', () => {
    const clock = new ManualClock(T0);
    const before = table(clock, [], 'fireOnceLate');
    before.add(definition('tick', '*/10 * * * * *'));
    before.add(definition('held', '*/10 * * * * *'));
    before.pause('held');
    before.start();
    clock.advance(10_000);
    const saved = stored(before.snapshot());
    before.stop();
    clock.jump(5_000);
    const fired: Firing[] = [];
    const after = table(clock, fired, 'fireOnceLate');
    after.add(definition('tick', '*/10 * * * * *'));
    after.add(definition('held', '*/10 * * * * *'));
    after.restore(saved);
    after.start();
    after.catchUp();
    assert.equal(fired.length, 0);
    after.stop();
  });

  it('refuses an add or update it cannot search without changing anything', () => {
    const clock = new ManualClock(T0);
    const t = table(clock, []);
    t.add(definition('dyn', '*/10 * * * * *', { dynamic: true }));
    t.start();
    assert.throws(() => t.update(definition('dyn', '%120 1/2 * ? * *', { dynamic: true })), /search limit/);
    assert.throws(() => t.add(definition('new', '%120 1/2 * ? * *', { dynamic: true })), /search limit/);
    assert.equal(t.info('dyn').expression, '*/10 * * * * *');
    assert.equal(t.info('dyn').armed, true);
    assert.equal(t.has('new'), false);
    t.stop();
  });

  it('reads the first format, keeps rows it cannot run, and ignores what a store hands back garbled', () => {
    const clock = new ManualClock(T0);
    const t = table(clock, []);
    const { problems } = t.restore({
      version: 1,
      dynamic: [
        {
          name: 'old',
          expression: '0 0 9 * * *',
          timeZone: 'UTC',
          relative: false,
          topic: 'old',
          payload: 1,
        },
        {
          name: 'broken',
          expression: '0 0 25 * * *',
          timeZone: 'UTC',
          relative: false,
          topic: '',
          payload: '',
        },
        // Saved by a version without the bounded search: kept, but never searched again at a start.
        {
          name: 'odd',
          expression: '%120 1/2 * ? * *',
          timeZone: 'UTC',
          relative: false,
          topic: '',
          payload: '',
        },
      ],
      paused: ['old'],
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0] ?? '', /broken: hour field "25"/);
    assert.match(problems[1] ?? '', /odd: .*search limit/);
    assert.equal(t.info('old').paused, true);
    assert.deepEqual(
      t.list().map((s) => [s.name, s.armed, s.problem !== undefined]),
      [
        ['old', true, false],
        ['broken', false, true],
        ['odd', false, true],
      ],
    );
    for (const garbage of [42, 'x', { version: 3 }, { version: 2, dynamic: 'no', paused: [] }, [1, 2]]) {
      assert.deepEqual(table(clock, []).restore(garbage).problems, ['the saved schedules were not readable']);
    }
    const odd = table(clock, []);
    odd.restore({
      version: 2,
      savedAt: 'soon',
      anchor: Infinity,
      dynamic: [],
      paused: [],
      known: [7],
      runs: [['x', 'many', null, null], null],
    });
    assert.equal(odd.relativeStart, null);
  });
});
