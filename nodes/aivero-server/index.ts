/**
 * aivero-server: the config node that owns one Aivero client (one keep-alive pool) per server and
 * shares it with every aivero node that uses it. The first user starts a health probe (`/healthz`
 * and one cheap query, which checks the credential too), then makes one pool connection ready per
 * node using the server. The checks live in `options.ts`; the rest
 * is the kit's.
 */
import { AiveroClient } from '../../src/backends/aivero';
import { defineServerNode } from '../../src/kit/server-node';
import { CREDENTIALS, FIELDS } from './fields';
import { checkServer, credentialSecrets, type ServerCredentials } from './options';

export default defineServerNode<typeof FIELDS, AiveroClient>({
  type: 'aivero-server',
  fields: FIELDS,
  credentials: CREDENTIALS,
  settings: (values, ctx) => {
    const checked = checkServer(values, ctx.credentials as ServerCredentials);
    return {
      address: checked.address,
      create: () => new AiveroClient(checked.options),
      warning: checked.warning,
      secrets: checked.secrets,
    };
  },
  // A credential typed into the wrong field must not show up in the error either.
  storedSecrets: (credentials) => credentialSecrets(credentials as ServerCredentials),
  probe: async (client, signal, _t, users) => {
    const health = await client.health({ signal });
    // The enums (camera models, states …) by introspection, for the checks before each call.
    await client.schema({ signal });
    // One connection per node that may call at once, so the first trigger after start opens none.
    await client.warm(users(), { signal });
    return { healthzMs: Math.round(health.healthzMs), queryMs: Math.round(health.queryMs) };
  },
  destroy: (client) => client.close(),
  unconfiguredAddress: () => 'unconfigured',
});
