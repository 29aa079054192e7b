/**
 * Relative schedules anchored to another schedule of the same node, with a run time, on a manual
 * clock: they start when the anchor fires, count from that firing, stop after the run time, restart
 * when the anchor fires again, stop on a `stop` command, and their starts survive a restart. Bad
 * anchors (missing, self, cycle) are refused before anything is armed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, InputError } from '../../src/common/errors';
import { checkStaticAnchors, staticDefinitions } from '../../nodes/recorder-schedule/static-list';
import { ScheduleTable, type Firing, type ScheduleDefinition } from '../../nodes/recorder-schedule/table';
import { ManualClock } from './manual-clock';
import { definition, table } from './table-helpers';

const T0 = Date.UTC(2026, 2, 2, 9, 59, 0);
const MIN = 60_000;

/** [name, offset from T0 in seconds] of every firing. */
const log = (fired: Firing[]): [string, number][] =>
  fired.map((f) => [f.definition.name, (f.scheduledAt - T0) / 1000]);

describe('schedule: relative schedules anchored to another schedule', () => {
  it('start when the anchor fires, count from that firing and stop after the run time', () => {
    const clock = new ManualClock(T0);
    const fired: Firing[] = [];
    const t = table(clock, fired);
    t.add(definition('record', '0 0 * * * *'));
    t.add(definition('tick', '0 */10 * ? * * *', { relative: true, anchor: 'record', runFor: 1800 }));
    t.start();
    assert.deepEqual(t.next('tick', 3), [], 'not armed before the anchor fires');
    assert.equal(
      t.info('tick').description,
      '10 minutes after start, then every 10 minutes (start = each firing of "record", for 30 minutes)',
    );
    clock.advance(40 * MIN);
    // record at 10:00 (60 s after T0); tick at +10 and +20 minutes; +30 is the end, not a firing.
    assert.deepEqual(log(fired), [
      ['record', 60],
      ['tick', 660],
      ['tick', 1260],
    ]);
    assert.equal(fired[2]?.nextAt, null, 'the last firing of the run says nothing follows');
    assert.equal(t.info('tick').armed, false);
    assert.equal(t.anchorStart('record'), T0 + MIN);
    clock.advance(45 * MIN);
    assert.deepEqual(log(fired).slice(3), [
      ['record', 3660],
      ['tick', 4260],
      ['tick', 4860],
    ]);
  });

  it('restart from the new firing when the anchor fires again while they run', () => {
    const clock = new ManualClock(T0);
    const fired: Firing[] = [];
    const t = table(clock, fired);
    t.add(definition('record', '0 0 * * * *'));
    t.add(definition('late', '0 45 * ? * * *', { relative: true, anchor: 'record' }));
    t.start();
    clock.advance(21 * MIN); // record at +1 min, late due at +46 min
    t.trigger('record'); // at +21 min: late now due at +66 min
    clock.advance(30 * MIN); // to +51 min: the first run's +46 is gone
    assert.deepEqual(log(fired), [
      ['record', 60],
      ['record', 1260],
    ]);
    clock.advance(10 * MIN); // +61: record fires again at +61 → late at +106
    clock.advance(50 * MIN);
    assert.deepEqual(log(fired), [
      ['record', 60],
      ['record', 1260],
      ['record', 3660],
      ['late', 3660 + 2700],
    ]);
  });

  it('stop on a stop command until the anchor fires again; start messages leave them alone', () => {
    const clock = new ManualClock(T0);
    const fired: Firing[] = [];
    const t = table(clock, fired);
    t.add(definition('record', '0 0 * * * *'));
    t.add(definition('tick', '0 */10 * ? * * *', { relative: true, anchor: 'record' }));
    t.add(definition('byMessage', '0 */15 * ? * * *', { relative: true }));
    t.start();
    clock.advance(2 * MIN);
    t.startRelative();
    assert.equal(t.info('tick').armed, true);
    t.stopRelative();
    assert.equal(t.info('tick').armed, false);
    assert.equal(t.info('byMessage').armed, false);
    clock.advance(50 * MIN);
    assert.deepEqual(log(fired), [['record', 60]]);
    t.startRelative();
    assert.equal(t.info('tick').armed, false, 'a start message does not start schedule-anchored ones');
    clock.advance(20 * MIN); // record at +61 min restarts tick (+71); byMessage at +67
    assert.deepEqual(log(fired).slice(1), [
      ['record', 3660],
      ['byMessage', 3120 + 900],
      ['tick', 3660 + 600],
    ]);
  });

  it('chain: a relative anchor starts the schedules anchored to it', () => {
    const clock = new ManualClock(T0);
    const fired: Firing[] = [];
    const t = table(clock, fired);
    // Editor rows: anchored to a later row (the node checks the list as a whole first).
    t.add(definition('b', '0 5 0 1 1 ?', { relative: true, anchor: 'a' }));
    t.add(definition('a', '0 0 * * * *'));
    t.add(definition('c', '30 0 0 1 1 ?', { relative: true, anchor: 'b' }));
    t.start();
    clock.advance(10 * MIN);
    assert.deepEqual(log(fired), [
      ['a', 60],
      ['b', 360],
      ['c', 390],
    ]);
  });

  it('refuse an anchor that is missing, the schedule itself, not relative, or a cycle', () => {
    const clock = new ManualClock(T0);
    const t = table(clock, []);
    t.add(definition('record', '0 0 * * * *'));
    const dyn = (name: string, extra: Partial<ScheduleDefinition>): ScheduleDefinition =>
      definition(name, '0 1 0 1 1 ?', { relative: true, dynamic: true, ...extra });
    assert.throws(
      () => t.add(dyn('x', { anchor: 'nope' })),
      (e: Error) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, /"x" is anchored to "nope", which does not exist/);
        return true;
      },
    );
    assert.throws(() => t.add(dyn('x', { anchor: 'x' })), /anchored to itself/);
    assert.throws(
      () => t.add(definition('x', '0 0 * * * *', { anchor: 'record', dynamic: true })),
      /not relative/,
    );
    assert.throws(() => t.add(dyn('x', { anchor: 'record', runFor: -1 })), /run time/);
    t.add(dyn('p', { anchor: 'record' }));
    t.add(dyn('q', { anchor: 'p' }));
    assert.throws(() => t.update(dyn('p', { anchor: 'q' })), /cycle: "p" → "q" → "p"/);
    assert.throws(() => t.remove('p'), /anchor of "q"/);
    assert.equal(t.has('x'), false);
    assert.equal(t.info('p').anchor, 'record');
  });

  it('refuse a missing anchor or a cycle in the editor list as a ConfigError naming them', () => {
    const rows = (anchors: Record<string, string>): unknown[] =>
      Object.entries(anchors).map(([name, anchor]) => ({
        name,
        expression: '0 1 0 1 1 ?',
        relative: true,
        anchor,
      }));
    assert.throws(
      () => checkStaticAnchors(staticDefinitions(rows({ a: 'missing' }))),
      (e: Error) =>
        e instanceof ConfigError && /"a" is anchored to "missing", which does not exist/.test(e.message),
    );
    assert.throws(
      () => checkStaticAnchors(staticDefinitions(rows({ a: 'b', b: 'c', c: 'a' }))),
      (e: Error) => e instanceof ConfigError && /cycle: "a" → "b" → "c" → "a"/.test(e.message),
    );
    // A forward reference is fine; blank run time = until stopped; the editor's text is read as seconds.
    const ok = staticDefinitions([
      { name: 'a', expression: '0 1 0 1 1 ?', relative: true, anchor: 'b', runFor: '90' },
      { name: 'b', expression: '0 0 * * * *', runFor: '' },
    ]);
    checkStaticAnchors(ok);
    assert.equal(ok[0]?.runFor, 90);
    assert.equal(ok[1]?.runFor, undefined);
  });

  it('restore a schedule anchored to one saved after it, resolving anchors over the whole saved set', () => {
    const clock = new ManualClock(T0);
    const before = table(clock, []);
    const dyn = (name: string, extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition =>
      definition(name, '0 0 * * * *', { dynamic: true, ...extra });
    before.add(dyn('X'));
    before.add(dyn('A', { expression: '0 */5 * ? * * *', relative: true, anchor: 'X' }));
    before.add(dyn('C'));
    before.add(dyn('B', { expression: '0 */5 * ? * * *', relative: true, anchor: 'A' }));
    before.update(dyn('A', { expression: '0 */5 * ? * * *', relative: true, anchor: 'C' }));
    const saved = JSON.parse(JSON.stringify(before.snapshot())) as { dynamic: { name: string }[] };
    assert.deepEqual(
      saved.dynamic.map((d) => d.name),
      ['X', 'A', 'C', 'B'],
      'A keeps its place: it is saved before its new anchor C',
    );
    const after = table(clock, []);
    assert.deepEqual(after.restore(saved), { problems: [], replaced: [] });
    assert.deepEqual(
      after.list().map((s) => [s.name, s.anchor]),
      [
        ['X', ''],
        ['A', 'C'],
        ['C', ''],
        ['B', 'A'],
      ],
    );
  });

  it('keep saved schedules whose anchors cannot be resolved, each with its problem, and save them again', () => {
    const clock = new ManualClock(T0);
    const t = table(clock, []);
    t.add(definition('editor', '0 0 * * * *'));
    const row = (name: string, anchor: string): Record<string, unknown> => ({
      name,
      expression: '0 1 0 1 1 ?',
      timeZone: '',
      relative: true,
      anchor,
      topic: name,
      payload: name,
    });
    const dynamic = [
      row('a', 'b'),
      row('b', 'c'),
      row('c', 'a'),
      row('tail', 'a'),
      row('lost', 'gone'),
      row('behind', 'lost'),
      row('good', 'editor'),
      row('better', 'good'),
    ];
    const { problems } = t.restore({
      version: 2,
      savedAt: T0,
      anchor: null,
      dynamic,
      paused: [],
      known: [],
      runs: [],
    });
    assert.deepEqual(problems, [
      'schedule "a": the anchors form a cycle: "a" → "b" → "c" → "a"',
      'schedule "b": the anchors form a cycle: "a" → "b" → "c" → "a"',
      'schedule "c": the anchors form a cycle: "a" → "b" → "c" → "a"',
      'schedule "tail" is anchored to "a", which cannot run',
      'schedule "lost" is anchored to "gone", which does not exist',
      'schedule "behind" is anchored to "lost", which cannot run',
    ]);
    assert.equal(t.heldCount, 6);
    assert.deepEqual(
      t.list().map((s) => [s.name, s.armed, s.problem === undefined]),
      [
        ['editor', true, true],
        ['good', false, true],
        ['better', false, true],
        ['a', false, false],
        ['b', false, false],
        ['c', false, false],
        ['tail', false, false],
        ['lost', false, false],
        ['behind', false, false],
      ],
    );
    assert.throws(
      () => t.add(definition('lost', '0 0 * * * *', { dynamic: true })),
      /exists but does not run/,
    );
    const byName = (rows: unknown[]): unknown[] =>
      [...(rows as { name: string }[])].sort((x, y) => x.name.localeCompare(y.name));
    assert.deepEqual(byName(t.snapshot().dynamic), byName(dynamic), 'saved again as they were');
  });

  it('keep the anchor starts across a restart, and not rearm a run that ended while down', () => {
    const clock = new ManualClock(T0);
    const fired: Firing[] = [];
    const define = (t: ScheduleTable): void => {
      t.add(definition('record', '0 0 * * * *'));
      t.add(definition('tick', '0 */10 * ? * * *', { relative: true, anchor: 'record', runFor: 1800 }));
    };
    const before = table(clock, fired);
    define(before);
    before.start();
    clock.advance(5 * MIN); // record at +1 min
    const saved = JSON.parse(JSON.stringify(before.snapshot())) as unknown;
    before.stop();
    assert.equal(fired.length, 1);
    assert.deepEqual((saved as { anchors: unknown }).anchors, [['record', T0 + MIN]]);

    const after = table(clock, fired);
    define(after);
    assert.deepEqual(after.restore(saved), { problems: [], replaced: [] });
    after.start();
    assert.equal(after.anchorStart('record'), T0 + MIN);
    assert.deepEqual(after.next('tick', 5), [T0 + 11 * MIN, T0 + 21 * MIN]);

    after.stop();
    clock.jump(40 * MIN); // down past the run's end (+31 min)
    const late = table(clock, fired);
    define(late);
    late.restore(saved);
    late.start();
    assert.equal(late.info('tick').armed, false);
    assert.deepEqual(late.next('tick', 5), []);
    late.stop();
  });
});

/** Each local-schedule protocol example, its schedule rows read as the node reads them. */
function exampleTable(file: string, clock: ManualClock, fired: Firing[]): ScheduleTable {
  const dir = path.join(__dirname, '..', '..', '..', 'examples', 'schedules');
  const nodes = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Array<Record<string, unknown>>;
  const node = nodes.find((n) => n.type === 'recorder-schedule');
  assert.ok(node, `no recorder-schedule in ${file}`);
  const loops = nodes.filter(
    (n) =>
      n !== node && JSON.stringify(n.wires ?? []).includes(JSON.stringify(node.id)) && n.type !== 'inject',
  );
  assert.deepEqual(
    loops.map((n) => n.type),
    [],
    'only inject buttons are wired into the schedule node',
  );
  const definitions = staticDefinitions(node.schedules);
  checkStaticAnchors(definitions);
  const t = table(clock, fired);
  for (const d of definitions) t.add({ ...d, timeZone: d.timeZone || 'UTC' });
  t.start();
  return t;
}

describe('schedule: the local protocol examples under a manual clock', () => {
  it('hourly recording: record, then the stimulus every 5 minutes for 30 minutes, every hour', () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 59, 0));
    const fired: Firing[] = [];
    const t = exampleTable(
      '02 - Hourly recording with a stimulus every 5 minutes (local schedule).json',
      clock,
      fired,
    );
    clock.advance(2 * 60 * MIN);
    const at = (f: Firing): string =>
      `${f.definition.name}@${new Date(f.scheduledAt).toISOString().slice(11, 19)}`;
    // stim_off's `1 */5` also matches 0:00:01 (its on at offset 0 never fires: the start instant).
    const hour = (h: string): string[] => [
      `record@${h}:00:00`,
      `stim_off@${h}:00:01`,
      ...[5, 10, 15, 20, 25].flatMap((m) => {
        const mm = String(m).padStart(2, '0');
        return [`stim_on@${h}:${mm}:00`, `stim_off@${h}:${mm}:01`];
      }),
    ];
    assert.deepEqual(fired.map(at), [...hour('10'), ...hour('11')]);
    assert.deepEqual(
      fired.filter((f) => f.definition.name !== 'record').map((f) => f.definition.payloadType),
      Array(22).fill('num'),
    );
    t.stop();
  });

  it('record 9 and 15, copy 17: the three firings of a day in order', () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 2, 0, 0, 0));
    const fired: Firing[] = [];
    const t = exampleTable('04 - Record at 9 and 15, copy at 17 (local schedule).json', clock, fired);
    clock.advance(24 * 60 * MIN);
    assert.deepEqual(
      fired.map((f) => `${f.definition.name}@${new Date(f.scheduledAt).toISOString().slice(11, 16)}`),
      ['record@09:00', 'record@15:00', 'copy@17:00'],
    );
    t.stop();
  });

  it('output protocol: the recording, led on at 1:00, led2 every 30 s from 1:30 until the 5 minutes end', () => {
    const start = Date.UTC(2026, 2, 2, 9, 0, 0); // a Monday
    const clock = new ManualClock(start);
    const fired: Firing[] = [];
    const t = exampleTable('06 - Output protocol while recording (local schedule).json', clock, fired);
    clock.advance(70 * MIN);
    const offsets = fired.map((f) => `${f.definition.name}+${(f.scheduledAt - start - 60 * MIN) / 1000}`);
    assert.deepEqual(offsets, [
      'record+0',
      'led_on+60',
      ...[90, 120, 150, 180, 210, 240, 270].map((s) => `led2+${s}`),
    ]);
    // 'start recording' triggers the record schedule: the outputs count from the button press.
    const pressed = clock.now();
    t.trigger('record');
    clock.advance(2 * MIN);
    assert.deepEqual(
      fired.slice(9).map((f) => `${f.definition.name}+${(f.scheduledAt - pressed) / 1000}`),
      ['record+0', 'led_on+60', 'led2+90', 'led2+120'],
    );
    t.stop();
  });
});
