import assert from 'node:assert/strict';
import { endpointPath, findEndpoint, MOTIF_ENDPOINTS } from '../../src/backends/motif/endpoints';

describe('motif endpoint table', () => {
  it('has the 44 operations of the motif API in its documentation order with their methods', () => {
    assert.equal(MOTIF_ENDPOINTS.length, 44);
    assert.equal(MOTIF_ENDPOINTS[0].id, 'version');
    assert.equal(MOTIF_ENDPOINTS[43].id, 'multicam/disconnect_all');
    assert.equal(findEndpoint('schedule/<task_name>/clear')?.method, 'DELETE');
    assert.equal(findEndpoint('schedule/clear')?.method, 'POST');
    assert.equal(findEndpoint('cameras/configure')?.method, 'PATCH');
    assert.equal(findEndpoint('camera/<serial>/io/read')?.method, 'GET');
    assert.equal(new Set(MOTIF_ENDPOINTS.map((e) => e.id)).size, 44);
  });

  it('links per-camera and all-cameras forms both ways', () => {
    for (const e of MOTIF_ENDPOINTS) {
      if (e.allCameras) assert.equal(findEndpoint(e.allCameras)?.perCamera, e.id, e.id);
      if (e.perCamera) assert.equal(findEndpoint(e.perCamera)?.allCameras, e.id, e.id);
    }
  });

  it('lists path parameters in order', () => {
    assert.deepEqual(findEndpoint('schedule/camera/<serial>/configure/<name>')?.pathParams, [
      'serial',
      'name',
    ]);
    assert.deepEqual(findEndpoint('io/<io_serial>/<io_port>/set')?.pathParams, ['io_serial', 'io_port']);
  });

  it('builds wire paths: /version unprefixed, others under /api/1/, segments encoded', () => {
    assert.equal(endpointPath(findEndpoint('version')!, {}), '/version');
    const e = findEndpoint('camera/<serial>/io/<name>/set')!;
    assert.equal(
      endpointPath(e, { serial: 'FAKE0', name: 'led?#%' }),
      '/api/1/camera/FAKE0/io/led%3F%23%25/set',
    );
  });

  it('rejects missing, empty, slashed and spaced segments naming the parameter', () => {
    const e = findEndpoint('camera/<serial>/read/<name>')!;
    assert.throws(() => endpointPath(e, { serial: 'FAKE0' }), { name: 'InputError', message: /"name"/ });
    assert.throws(() => endpointPath(e, { serial: '', name: 'Gain' }), {
      name: 'InputError',
      message: /"serial"/,
    });
    assert.throws(() => endpointPath(e, { serial: 'a/b', name: 'Gain' }), {
      name: 'InputError',
      message: /"serial"/,
    });
    assert.throws(() => endpointPath(e, { serial: 'FAKE0', name: 'Ga in' }), {
      name: 'InputError',
      message: /"name"/,
    });
    assert.throws(() => endpointPath(e, { serial: 'FAKE0', name: 'Gain\t' }), { name: 'InputError' });
  });
});
