import assert from 'node:assert/strict';
import { firings, firingsBetween, isoList } from './helpers';

// Transitions used below (2024):
// Europe/Vienna     spring 03-31 01:00Z (02:00 CET → 03:00 CEST)   fall 10-27 01:00Z (03:00 CEST → 02:00 CET)
// America/New_York  spring 03-10 07:00Z (02:00 EST → 03:00 EDT)    fall 11-03 06:00Z (02:00 EDT → 01:00 EST)
// Australia/Sydney  spring 10-05 16:00Z (02:00 AEST → 03:00 AEDT)  fall 04-06 16:00Z (03:00 AEDT → 02:00 AEST)
const VIENNA = { timeZone: 'Europe/Vienna' };
const NEW_YORK = { timeZone: 'America/New_York' };
const SYDNEY = { timeZone: 'Australia/Sydney' };

describe('schedule: DST', () => {
  describe('spring forward: a nonexistent wall time fires once at the first instant after the gap', () => {
    it('Vienna 02:30 daily fires at 03:00 CEST on the transition day', () => {
      assert.deepEqual(firings('0 30 2 * * *', '2024-03-30T12:00:00Z', 3, VIENNA), [
        '2024-03-31T01:00:00Z',
        '2024-04-01T00:30:00Z',
        '2024-04-02T00:30:00Z',
      ]);
    });

    it('New York 02:30 daily fires at 03:00 EDT on the transition day', () => {
      assert.deepEqual(firings('0 30 2 * * *', '2024-03-09T12:00:00Z', 2, NEW_YORK), [
        '2024-03-10T07:00:00Z',
        '2024-03-11T06:30:00Z',
      ]);
    });

    it('Sydney 02:30 daily fires at 03:00 AEDT on the transition day', () => {
      assert.deepEqual(firings('0 30 2 * * *', '2024-10-05T00:00:00Z', 2, SYDNEY), [
        '2024-10-05T16:00:00Z',
        '2024-10-06T15:30:00Z',
      ]);
    });

    it('every 15 s: the whole skipped hour collapses into one firing at the gap end, then continues', () => {
      assert.deepEqual(firings('*/15 * * * * *', '2024-03-31T00:59:30Z', 3, VIENNA), [
        '2024-03-31T00:59:45Z',
        '2024-03-31T01:00:00Z',
        '2024-03-31T01:00:15Z',
      ]);
      const all = firingsBetween('*/15 * * * * *', '2024-03-31T00:00:00Z', '2024-03-31T02:00:00Z', VIENNA);
      assert.equal(all.length, 480, 'two real hours at 4 per minute');
      assert.equal(new Set(all).size, all.length, 'no instant twice');
    });

    it('an hourly job fires at the gap end for the missing hour', () => {
      assert.deepEqual(firings('0 30 * * * *', '2024-03-30T23:50:00Z', 4, VIENNA), [
        '2024-03-31T00:30:00Z',
        '2024-03-31T01:00:00Z',
        '2024-03-31T01:30:00Z',
        '2024-03-31T02:30:00Z',
      ]);
    });

    it('when asked from the last second before the gap, the gap end is next', () => {
      assert.deepEqual(firings('0 30 2 * * *', '2024-03-31T00:59:59Z', 1, VIENNA), ['2024-03-31T01:00:00Z']);
    });
  });

  describe('fall back: ambiguous wall times follow the dst policy', () => {
    it('fixed time 02:30 Vienna: once (auto and once) at the first occurrence, twice with both', () => {
      const expectedOnce = ['2024-10-27T00:30:00Z', '2024-10-28T01:30:00Z'];
      assert.deepEqual(firings('0 30 2 * * *', '2024-10-26T12:00:00Z', 2, VIENNA), expectedOnce);
      assert.deepEqual(
        firings('0 30 2 * * *', '2024-10-26T12:00:00Z', 2, { ...VIENNA, dst: 'once' }),
        expectedOnce,
      );
      assert.deepEqual(firings('0 30 2 * * *', '2024-10-26T12:00:00Z', 3, { ...VIENNA, dst: 'both' }), [
        '2024-10-27T00:30:00Z',
        '2024-10-27T01:30:00Z',
        '2024-10-28T01:30:00Z',
      ]);
    });

    it('every 15 s keeps firing through the repeated hour by default (cron-plus #108)', () => {
      const all = firingsBetween('*/15 * * * * *', '2024-10-27T00:00:00Z', '2024-10-27T02:00:00Z', VIENNA);
      assert.equal(all.length, 480);
      for (let i = 1; i < all.length; i++) assert.equal((all[i] ?? 0) - (all[i - 1] ?? 0), 15_000);
    });

    it('every 15 s with dst once goes quiet for the repeated hour', () => {
      const all = firingsBetween('*/15 * * * * *', '2024-10-27T00:00:00Z', '2024-10-27T02:00:00Z', {
        ...VIENNA,
        dst: 'once',
      });
      assert.equal(all.length, 240);
      assert.deepEqual(firings('*/15 * * * * *', '2024-10-27T00:59:30Z', 2, { ...VIENNA, dst: 'once' }), [
        '2024-10-27T00:59:45Z',
        '2024-10-27T02:00:00Z',
      ]);
    });

    it('hourly fires every real hour by default (cron-plus #72) and skips the repeat with once', () => {
      assert.deepEqual(firings('0 0 * * * *', '2024-10-26T22:30:00Z', 4, VIENNA), [
        '2024-10-26T23:00:00Z',
        '2024-10-27T00:00:00Z',
        '2024-10-27T01:00:00Z',
        '2024-10-27T02:00:00Z',
      ]);
      assert.deepEqual(firings('0 0 * * * *', '2024-10-26T22:30:00Z', 3, { ...VIENNA, dst: 'once' }), [
        '2024-10-26T23:00:00Z',
        '2024-10-27T00:00:00Z',
        '2024-10-27T02:00:00Z',
      ]);
    });

    it('asking from inside the second pass continues in the second pass', () => {
      // 01:20Z is 02:20 CET (second pass).
      assert.deepEqual(firings('0 */30 * * * *', '2024-10-27T01:20:00Z', 2, VIENNA), [
        '2024-10-27T01:30:00Z',
        '2024-10-27T02:00:00Z',
      ]);
    });

    it('New York 01:30: once by default, both on request; half-hourly keeps its cadence', () => {
      assert.deepEqual(firings('0 30 1 * * *', '2024-11-02T12:00:00Z', 2, NEW_YORK), [
        '2024-11-03T05:30:00Z',
        '2024-11-04T06:30:00Z',
      ]);
      assert.deepEqual(firings('0 30 1 * * *', '2024-11-02T12:00:00Z', 3, { ...NEW_YORK, dst: 'both' }), [
        '2024-11-03T05:30:00Z',
        '2024-11-03T06:30:00Z',
        '2024-11-04T06:30:00Z',
      ]);
      assert.deepEqual(firings('0 */30 * * * *', '2024-11-03T04:45:00Z', 5, NEW_YORK), [
        '2024-11-03T05:00:00Z',
        '2024-11-03T05:30:00Z',
        '2024-11-03T06:00:00Z',
        '2024-11-03T06:30:00Z',
        '2024-11-03T07:00:00Z',
      ]);
    });

    it('Sydney 02:30: once by default, both on request', () => {
      assert.deepEqual(firings('0 30 2 * * *', '2024-04-06T00:00:00Z', 2, SYDNEY), [
        '2024-04-06T15:30:00Z',
        '2024-04-07T16:30:00Z',
      ]);
      assert.deepEqual(firings('0 30 2 * * *', '2024-04-06T00:00:00Z', 3, { ...SYDNEY, dst: 'both' }), [
        '2024-04-06T15:30:00Z',
        '2024-04-06T16:30:00Z',
        '2024-04-07T16:30:00Z',
      ]);
    });
  });

  it('firings stay strictly increasing across a year of transitions in three zones', () => {
    for (const zone of [VIENNA, NEW_YORK, SYDNEY]) {
      for (const dst of ['once', 'both', 'auto'] as const) {
        const all = firingsBetween('0 0,30 * * * *', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', {
          ...zone,
          dst,
        });
        for (let i = 1; i < all.length; i++) {
          assert.ok(
            (all[i] ?? 0) > (all[i - 1] ?? 0),
            `${zone.timeZone} ${dst}: ${isoList(all.slice(i - 1, i + 1))}`,
          );
        }
        // Every real half hour of the leap year fires (in spring the 03:00 gap end is itself a match),
        // except that 'once' skips the two repeated half hours in autumn.
        const expected = 366 * 48 - (dst === 'once' ? 2 : 0);
        assert.equal(all.length, expected, `${zone.timeZone} ${dst}`);
      }
    }
  });
});
