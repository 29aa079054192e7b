import assert from 'node:assert/strict';
import { parse, print } from 'graphql';
import * as ours from '../../src/backends/aivero/documents';
import * as seed from '../aivero-sim/seed-documents';

/** Same document up to insignificant whitespace and commas. */
const same = (a: string, b: string): void => assert.equal(print(parse(a)), print(parse(b)));

describe('aivero: the client sends the vendor documents as written', () => {
  it('uses the five documented operations verbatim', () => {
    same(ours.CAMERA_WITH_MODEL_AND_SERIAL, seed.cameraWithModelAndSerialQuery);
    same(ours.INSERT_RECORDING_SESSION, seed.insertRecordingSessionQuery);
    same(ours.INSERT_RECORD, seed.insertRecordQuery);
    same(ours.INSERT_STREAM, seed.insertStreamQuery);
    same(ours.UPDATE_RECORDING_SESSION_STATE, seed.updateRecordingSessionStateQuery);
  });

  it('builds well-formed list documents for every filter combination', () => {
    for (const filter of [{}, { states: ['Stopped'] }, { name: 'x' }, { states: ['Started'], name: 'x' }])
      assert.doesNotThrow(() => parse(ours.listSessionsDocument(['id', 'state'], 'createdAt', filter)));
    assert.doesNotThrow(() => parse(ours.typeFieldsDocument({ session: 'RecordingSession' })));
    assert.doesNotThrow(() => parse(ours.introspectionDocument({ state: 'RecordingSessionState_enum' })));
  });
});
