/**
 * Path parameters that could change which route a request reaches (dot segments, control
 * characters, over-long values) are refused by the client's path builder before any traffic.
 */
import assert from 'node:assert/strict';
import { MAX_SEGMENT_LENGTH } from '../../src/backends/motif/endpoints';
import type { MotifSimulator } from '../../src/simulators/motif';
import { clientFor, rejection, startSimulator } from './helpers';

const HOSTILE: Array<[string, string]> = [
  ['dot', '.'],
  ['dot dot', '..'],
  ['NUL', 'FAKE\u00000'],
  ['ESC', 'FAKE\u001b[31m'],
  ['DEL', 'FAKE\u007f'],
  ['C1', 'FAKE\u0085'],
  ['bidi override', 'FAKE\u202e0'],
  ['zero-width space', 'FA\u200bKE0'],
  ['line separator', 'FAKE\u20280'],
  ['lone surrogate', 'FAKE\ud800'],
  ['over-long', 'F'.repeat(MAX_SEGMENT_LENGTH + 1)],
];

describe('motif path parameters', () => {
  let sim: MotifSimulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  for (const [label, value] of HOSTILE) {
    it(`refuses a ${label} in every kind of path parameter without sending a request`, async () => {
      const client = clientFor(sim);
      try {
        const calls: Array<[string, Record<string, string>]> = [
          ['camera/<serial>/recording/start', { serial: value }],
          ['camera/<serial>/io/<name>/set', { serial: 'FAKE0', name: value }],
          ['camera/<serial>/read/<name>', { serial: 'FAKE0', name: value }],
          ['schedule/<task_name>/clear', { task_name: value }],
          ['io/<io_serial>/<io_port>/set', { io_serial: value, io_port: '0' }],
        ];
        const before = sim.requestCount;
        for (const [id, params] of calls) {
          const err = await rejection(() => client.call(id, params, { value: 1 }));
          assert.equal(err.name, 'InputError', `${id}: ${err.message}`);
          assert.ok(err.message.length < 200, 'the error is short');
          if (value.length > 2) assert.ok(!err.message.includes(value), 'the hostile value is not echoed');
        }
        const waited = await rejection(() => client.waitUntil('stopped', value, { timeoutMs: 1000 }));
        assert.equal(waited.name, 'InputError');
        assert.equal(sim.requestCount, before, 'no request reached the simulator');
      } finally {
        await client.close();
      }
    });
  }

  it('still sends ordinary names, including dots inside a name and the maximum length', async () => {
    const client = clientFor(sim);
    try {
      const before = sim.requestCount;
      await client.call('io/<name>/set', { name: 'led.1' }, { value: 1 });
      await client.call('io/<name>/set', { name: 'L'.repeat(MAX_SEGMENT_LENGTH) }, { value: 0 });
      assert.equal(sim.requestCount, before + 2);
    } finally {
      await client.close();
    }
  });
});
