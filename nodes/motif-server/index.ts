/**
 * motif-server: the config node that owns one motif client (one keep-alive pool) per server and
 * shares it with every motif node that uses it. It probes the server with `GET /version` when the
 * first user arrives, then opens one pool connection per camera the server lists. The checks a table can not express live in `fields.ts`; the rest is the kit's.
 */
import { MotifClient } from '../../src/backends/motif';
import { defineServerNode } from '../../src/kit/server-node';
import { CREDENTIALS, FIELDS, readServerSettings } from './fields';

export default defineServerNode<typeof FIELDS, MotifClient>({
  type: 'motif-server',
  fields: FIELDS,
  credentials: CREDENTIALS,
  settings: (_values, ctx) => {
    const settings = readServerSettings(ctx.config, ctx.credentials);
    return {
      address: settings.address,
      create: () => new MotifClient(settings),
      warning: settings.tls.mode === 'insecure' ? ctx.t('motif-server.status.insecure') : undefined,
      secrets: storedKey(ctx.credentials),
    };
  },
  // The key as stored, even when it failed the checks: a server must never echo it back to a user.
  storedSecrets: storedKey,
  probe: async (client, signal) => {
    const version = await client.version({ signal });
    // One ready connection per camera, so the first "start recording on all cameras" does not wait
    // for TLS handshakes. Best effort: a server that lists no cameras yet is still reachable.
    try {
      await client.warm((await client.cameras({ signal })).length, { signal });
    } catch (err) {
      if (signal.aborted) throw err;
    }
    return { version: version.software };
  },
  destroy: (client) => client.close(),
  unconfiguredAddress: (config) => `${String(config.host ?? '')}:${String(config.port ?? '')}`.slice(0, 80),
});

function storedKey(credentials: Readonly<Record<string, unknown>>): string[] {
  const key = credentials.apiKey;
  return typeof key === 'string' ? [key, key.trim()] : [];
}
