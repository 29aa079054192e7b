import assert from 'node:assert/strict';
import {
  ALWAYS_END,
  ALWAYS_START,
  DOC_ENUMS,
  checkEnum,
  prepareSession,
  streamWarnings,
} from '../../src/backends/aivero';
import { InputError } from '../../src/common/errors';

const color = {
  type: 'color',
  alignTo: 'color',
  encoder: 'HEVC',
  width: 1280,
  height: 720,
  nearCut: 300,
  farCut: 1000,
  bitrate: 1000000,
  frameRate: 15,
};
const depth = { ...color, type: 'depth', encoder: 'Classic', bitrate: 5000000 };
const camera = { model: 'REALSENSE_D435', serial: '935322071234' };
const now = Date.UTC(2026, 11, 1, 10, 0, 0);

function inputError(fn: () => unknown, text: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof InputError && text.test(e.message), text.source);
}

describe('aivero: session specs', () => {
  it("prepares the vendor's first script: numbers, UTC window, target Scheduled", () => {
    const p = prepareSession(
      {
        name: 'mysession',
        endDate: '+1h',
        records: [{ camera, streams: [color, { ...depth, width: '1280', frameRate: '15' }] }],
      },
      DOC_ENUMS,
      now,
    );
    assert.equal(p.startDate, '2026-12-01T10:00:00');
    assert.equal(p.endDate, '2026-12-01T11:00:00');
    assert.equal(p.state, 'Scheduled');
    assert.equal(p.mode, 'Storage');
    assert.equal(p.maxTimeSeconds, 0);
    assert.equal(p.records[0].streams[1].width, 1280);
    assert.equal(typeof p.records[0].streams[1].frameRate, 'number');
    assert.deepEqual(p.warnings, []);
  });

  it('gives a Standby session the "always" window', () => {
    const p = prepareSession(
      { name: 'standby', state: 'Standby', records: [{ camera, streams: [color] }] },
      DOC_ENUMS,
    );
    assert.equal(p.startDate, ALWAYS_START);
    assert.equal(p.endDate, ALWAYS_END);
    const q = prepareSession({ name: 'a', always: true, records: [{ camera, streams: [color] }] }, DOC_ENUMS);
    assert.equal(q.endDate, ALWAYS_END);
  });

  it('refuses unknown enum values listing the valid ones', () => {
    inputError(
      () => checkEnum(DOC_ENUMS, 'cameraModel', 'REALSENSE_D999'),
      /REALSENSE_D999.*REALSENSE, REALSENSE_D415, REALSENSE_D435, REALSENSE_D455, V4L2CAMERA/,
    );
    inputError(
      () =>
        prepareSession(
          { name: 'x', endDate: '+1h', records: [{ camera, streams: [{ ...color, encoder: 'H264' }] }] },
          DOC_ENUMS,
        ),
      /record 1 stream 1 encoder "H264".*HEVC, Classic/,
    );
    inputError(
      () => prepareSession({ name: 'x', state: 'Paused', records: [] }, DOC_ENUMS),
      /Paused.*Scheduled, Standby, Started, Stopped/,
    );
  });

  it('refuses bad integers, ids, names and windows before any request', () => {
    const base = { name: 'x', endDate: '+1h', records: [{ camera, streams: [color] }] };
    inputError(() => prepareSession({ ...base, maxTimeSeconds: -1 }, DOC_ENUMS, now), /maxTimeSeconds/);
    inputError(
      () =>
        prepareSession(
          { ...base, records: [{ camera, streams: [{ ...color, bitrate: 2 ** 31 }] }] },
          DOC_ENUMS,
        ),
      /bitrate/,
    );
    inputError(
      () =>
        prepareSession({ ...base, records: [{ camera, streams: [{ ...color, width: 12.5 }] }] }, DOC_ENUMS),
      /width/,
    );
    inputError(
      () =>
        prepareSession({ ...base, records: [{ camera, streams: [{ ...color, width: 'wide' }] }] }, DOC_ENUMS),
      /width/,
    );
    inputError(
      () => prepareSession({ ...base, records: [{ camera: { id: 'nope' }, streams: [color] }] }, DOC_ENUMS),
      /uuid/,
    );
    inputError(() => prepareSession({ ...base, name: 'a\nb' }, DOC_ENUMS), /control/);
    inputError(() => prepareSession({ ...base, name: '' }, DOC_ENUMS), /name/);
    inputError(() => prepareSession({ ...base, endDate: undefined }, DOC_ENUMS), /endDate is missing/);
    inputError(() => prepareSession({ ...base, startDate: '+2h' }, DOC_ENUMS, now), /not after/);
    inputError(() => prepareSession({ ...base, records: [] }, DOC_ENUMS), /at least one record/);
    inputError(
      () => prepareSession({ ...base, records: [{ camera, streams: [] }] }, DOC_ENUMS),
      /at least one stream/,
    );
    inputError(() => prepareSession('session', DOC_ENUMS), /object/);
  });

  it('warns (does not refuse) about RealSense limits', () => {
    const p = prepareSession(
      {
        name: 'x',
        endDate: '+1h',
        records: [
          {
            camera,
            streams: [
              { ...color, frameRate: 25, width: 1000 },
              { ...depth, nearCut: 2000, frameRate: 30 },
            ],
          },
        ],
      },
      DOC_ENUMS,
      now,
    );
    const text = p.warnings.join('\n');
    assert.match(text, /stream 1: frame rate 25/);
    assert.match(text, /stream 1: color 1000x720 is not a RealSense color mode/);
    assert.match(text, /stream 2: near cut 2000 is not below far cut 1000/);
    assert.match(text, /different frame rates/);
    assert.deepEqual(streamWarnings({ ...depth, type: 'infra1', alignTo: 'color' }, 's').length, 1);
    const pi = prepareSession(
      {
        name: 'x',
        endDate: '+1h',
        records: [{ camera: { model: 'V4L2CAMERA', serial: 'rpi' }, streams: [{ ...color, frameRate: 25 }] }],
      },
      DOC_ENUMS,
      now,
    );
    assert.deepEqual(pi.warnings, [], 'a Raspberry Pi camera is not held to RealSense limits');
  });
});
