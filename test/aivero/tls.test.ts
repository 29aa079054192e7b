/**
 * TLS trust against the simulator's self-signed CA certificate: trusted with the CA, refused without
 * it or with another CA, accepted in the explicit insecure mode (which carries a warning). Plus the
 * Traefik path `/hasura/v1/graphql`, keep-alive, and what a role without permissions learns.
 */
import assert from 'node:assert/strict';
import { generate } from 'selfsigned';
import { AiveroClient } from '../../src/backends/aivero';
import { AiveroSimulator } from '../../src/simulators/aivero';
import { DOC_SESSION_FIELDS } from '../../src/backends/aivero/schema';
import { rejection } from './helpers';

describe('aivero: TLS, paths and roles', function () {
  this.timeout(30_000);
  let sim: AiveroSimulator;
  let otherCa: string;
  const clients: AiveroClient[] = [];
  const make = (options: Partial<ConstructorParameters<typeof AiveroClient>[0]>): AiveroClient => {
    const c = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, ...options });
    clients.push(c);
    return c;
  };

  before(async () => {
    sim = await AiveroSimulator.start({});
    const pems = await generate([{ name: 'commonName', value: 'another CA' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'basicConstraints', cA: true }],
    });
    otherCa = pems.cert;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim?.close();
  });

  it('verifies the certificate against the given CA', async () => {
    const c = make({ tls: { ca: sim.ca } });
    assert.equal(c.warning, undefined);
    assert.equal((await c.health()).healthzStatus, 200);
  });

  it('refuses the certificate without a CA and with another CA (TlsError, not retryable)', async () => {
    const none = await rejection(make({}).listCameras());
    assert.equal(none.code, 'TLS', none.message);
    assert.match(none.message, /not trusted/);
    const other = await rejection(make({ tls: { ca: otherCa } }).health());
    assert.equal(other.code, 'TLS', other.message);
  });

  it('accepts any certificate in insecure mode, and says so', async () => {
    const c = make({ tls: { insecure: true } });
    assert.match(c.warning ?? '', /verification is off/);
    assert.ok((await c.listCameras()).length > 0);
  });

  it('serves the Traefik path /hasura/v1/graphql with /hasura/healthz', async () => {
    const c = make({ endpoint: sim.url.replace('/v1/graphql', '/hasura/v1/graphql'), tls: { ca: sim.ca } });
    assert.match(c.endpoint.healthz, /\/hasura\/healthz$/);
    assert.equal((await c.health()).healthzStatus, 200);
    assert.ok((await c.listCameras()).length > 0);
  });

  it('falls back to the documented columns and enums where the role cannot see them', async () => {
    const anonymous = new AiveroClient({ endpoint: sim.url, tls: { ca: sim.ca } });
    clients.push(anonymous);
    const schema = await anonymous.schema();
    // `public` may read cameras only: no recordingSessions root field to learn the columns from.
    assert.equal(schema.introspected, true);
    assert.deepEqual(schema.sessionFields, DOC_SESSION_FIELDS);
    assert.equal(schema.orderField, 'startDate');
    assert.ok(schema.cameraFields.includes('name'), 'camera columns come from introspection');
    // The camera model enum is reachable for `public`, the session enums are not: documented values.
    assert.equal(schema.enumSource.cameraModel, 'introspection');
    assert.equal(schema.enumSource.state, 'documentation');
    assert.deepEqual(schema.enums.state, ['Scheduled', 'Standby', 'Started', 'Stopped']);
    assert.ok((await anonymous.listCameras()).length > 0);
    const hidden = await rejection(anonymous.listSessions());
    assert.equal(hidden.code, 'INPUT', hidden.message);
    assert.match(hidden.message, /validation-failed/);
  });
});
