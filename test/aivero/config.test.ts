import assert from 'node:assert/strict';
import { AiveroClient, parseEndpoint, resolveConfig } from '../../src/backends/aivero';
import { ConfigError } from '../../src/common/errors';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

function configError(fn: () => unknown, field: RegExp): void {
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof ConfigError &&
      field.test(e.message) &&
      typeof e.where === 'string' &&
      field.test(`${e.where}:`),
    field.source,
  );
}

describe('aivero: configuration', () => {
  it('derives ws, healthz and server from the endpoint', () => {
    const e = parseEndpoint('https://ds.aivero.lan/v1/graphql');
    assert.deepEqual(e, {
      http: 'https://ds.aivero.lan/v1/graphql',
      ws: 'wss://ds.aivero.lan/v1/graphql',
      healthz: 'https://ds.aivero.lan/healthz',
      server: 'ds.aivero.lan:443',
      secure: true,
    });
    const t = parseEndpoint('https://ds.aivero.lan:8443/hasura/v1/graphql/');
    assert.equal(t.ws, 'wss://ds.aivero.lan:8443/hasura/v1/graphql');
    assert.equal(t.healthz, 'https://ds.aivero.lan:8443/hasura/healthz');
    assert.equal(t.server, 'ds.aivero.lan:8443');
    assert.equal(parseEndpoint('wss://ds.aivero.lan/v1/graphql').http, 'https://ds.aivero.lan/v1/graphql');
    assert.equal(parseEndpoint('http://127.0.0.1:8080').http, 'http://127.0.0.1:8080/v1/graphql');
    assert.equal(parseEndpoint('ws://[::1]:8080/v1/graphql').server, '[::1]:8080');
  });

  it('refuses bad endpoints with a ConfigError naming the field', () => {
    for (const bad of [
      '',
      'ds.aivero.lan',
      'ftp://x/v1/graphql',
      'https://u:p@x/v1/graphql',
      'https://x/v1/graphql?a=1',
      42,
    ])
      configError(() => parseEndpoint(bad), /^endpoint/);
  });

  it('builds the credential headers: admin secret, or JWT with a role', () => {
    assert.deepEqual(resolveConfig({ endpoint: 'https://x/v1/graphql', adminSecret: 's3cret' }).headers, {
      'x-hasura-admin-secret': 's3cret',
    });
    assert.deepEqual(
      resolveConfig({ endpoint: 'https://x/v1/graphql', jwt: `Bearer ${JWT}`, role: 'viewer' }).headers,
      {
        authorization: `Bearer ${JWT}`,
        'x-hasura-role': 'viewer',
      },
    );
    assert.deepEqual(resolveConfig({ endpoint: 'https://x/v1/graphql' }).headers, {});
  });

  it('refuses mixed or malformed credentials and unsafe headers, never echoing a secret', () => {
    configError(
      () => resolveConfig({ endpoint: 'https://x/v1/graphql', adminSecret: 'a', jwt: JWT }),
      /^credentials/,
    );
    configError(() => resolveConfig({ endpoint: 'https://x/v1/graphql', jwt: 'not-a-token' }), /^jwt/);
    configError(
      () => resolveConfig({ endpoint: 'https://x/v1/graphql', adminSecret: 'top\r\nsecret' }),
      /^adminSecret/,
    );
    configError(() => resolveConfig({ endpoint: 'https://x/v1/graphql', role: 'a b' }), /^role/);
    configError(
      () => resolveConfig({ endpoint: 'https://x/v1/graphql', headers: { 'bad name': 'v' } }),
      /^headers/,
    );
    configError(
      () => resolveConfig({ endpoint: 'https://x/v1/graphql', headers: { 'x-proxy': 'a\nb' } }),
      /^headers\.x-proxy/,
    );
    configError(
      () => resolveConfig({ endpoint: 'https://x/v1/graphql', headers: { 'X-Hasura-Admin-Secret': 'v' } }),
      /^headers/,
    );
    configError(
      () =>
        resolveConfig({
          endpoint: 'https://x/v1/graphql',
          jwt: JWT,
          headers: { Authorization: 'Basic eDp5' },
        }),
      /^headers/,
    );
    configError(() => resolveConfig({ endpoint: 'https://x/v1/graphql', tls: { ca: 'nope' } }), /^tls\.ca/);
    configError(() => resolveConfig({ endpoint: 'https://x/v1/graphql', timeoutMs: -1 }), /^timeoutMs/);
    try {
      resolveConfig({ endpoint: 'https://x/v1/graphql', adminSecret: 'hunter2-very\nsecret' });
    } catch (e) {
      assert.doesNotMatch((e as Error).message, /hunter2/);
    }
  });

  it('states a warning for insecure TLS and for credentials over plain HTTP', () => {
    assert.match(
      resolveConfig({ endpoint: 'https://x/v1/graphql', tls: { insecure: true } }).warning ?? '',
      /not verified|verification is off/,
    );
    assert.match(
      resolveConfig({ endpoint: 'http://x/v1/graphql', adminSecret: 's' }).warning ?? '',
      /unencrypted/,
    );
    assert.equal(resolveConfig({ endpoint: 'https://x/v1/graphql', adminSecret: 's' }).warning, undefined);
    const client = new AiveroClient({ endpoint: 'https://x/v1/graphql', tls: { insecure: true } });
    assert.ok(client.warning);
    return client.close();
  });
});
