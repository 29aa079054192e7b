import assert from 'node:assert/strict';
import {
  ALWAYS_END,
  ALWAYS_START,
  formatTimestamp,
  parseServerTimestamp,
  parseTime,
  toTimestamp,
} from '../../src/backends/aivero';
import { InputError } from '../../src/common/errors';

describe('aivero: timestamps', () => {
  const now = Date.UTC(2026, 11, 1, 10, 0, 0);

  it('formats UTC as YYYY-MM-DDTHH:mm:ss without offset or fraction', () => {
    assert.equal(formatTimestamp(new Date(Date.UTC(2024, 4, 1, 12, 3, 4, 567))), '2024-05-01T12:03:04');
    assert.equal(formatTimestamp(new Date('0005-01-02T03:04:05Z')), '0005-01-02T03:04:05');
  });

  it('reads an ISO string without offset as UTC (not local time)', () => {
    assert.equal(parseTime('2024-05-01T12:00:00').toISOString(), '2024-05-01T12:00:00.000Z');
    assert.equal(parseTime('2024-05-01 12:00').toISOString(), '2024-05-01T12:00:00.000Z');
    assert.equal(parseTime('2024-05-01').toISOString(), '2024-05-01T00:00:00.000Z');
  });

  it('applies an offset when one is given', () => {
    assert.equal(toTimestamp('2024-05-01T12:00:00+02:00'), '2024-05-01T10:00:00');
    assert.equal(toTimestamp('2024-05-01T12:00:00.250Z'), '2024-05-01T12:00:00');
    assert.equal(toTimestamp('2024-05-01T00:30:00-0130'), '2024-05-01T02:00:00');
  });

  it('accepts a Date, epoch ms (number or digits), now and relative forms', () => {
    assert.equal(toTimestamp(new Date(now)), '2026-12-01T10:00:00');
    assert.equal(toTimestamp(now), '2026-12-01T10:00:00');
    assert.equal(toTimestamp(String(now)), '2026-12-01T10:00:00');
    assert.equal(toTimestamp('now', 't', now), '2026-12-01T10:00:00');
    assert.equal(toTimestamp('+30m', 't', now), '2026-12-01T10:30:00');
    assert.equal(toTimestamp('+2h', 't', now), '2026-12-01T12:00:00');
    assert.equal(toTimestamp('+10s', 't', now), '2026-12-01T10:00:10');
    assert.equal(toTimestamp('+1d', 't', now), '2026-12-02T10:00:00');
    assert.equal(toTimestamp('-1.5h', 't', now), '2026-12-01T08:30:00');
  });

  it('refuses what is not a time, naming the field', () => {
    for (const bad of [
      'tomorrow',
      '2024-02-30T00:00:00',
      '2024-05-01T25:00:00',
      '+3w',
      '',
      {},
      null,
      NaN,
      'x'.repeat(100),
    ])
      assert.throws(
        () => parseTime(bad, 'endDate'),
        (e: unknown) => e instanceof InputError && /endDate/.test(e.message),
        String(bad),
      );
    assert.throws(() => parseTime(new Date(NaN), 'endDate'), InputError);
    assert.throws(() => parseTime(Date.UTC(10000, 0, 1), 'endDate'), InputError);
  });

  it('keeps the vendor\'s "always" window verbatim', () => {
    assert.equal(ALWAYS_START, '1-01-01T00:00:00');
    assert.equal(ALWAYS_END, '9999-12-31T23:59:59');
  });

  it('reads server timestamps as UTC and tolerates garbage', () => {
    assert.equal(parseServerTimestamp('2001-01-01T00:00:00')?.toISOString(), '2001-01-01T00:00:00.000Z');
    assert.equal(parseServerTimestamp('garbage'), undefined);
    assert.equal(parseServerTimestamp(42), undefined);
  });
});
