/**
 * motif-server: the config node that owns one motif client (one keep-alive pool) per server and
 * shares it with every motif node that uses it. It probes the server with `GET /version` when the
 * first user arrives; a configuration that can not work fails the connection at once, so every
 * user node shows it and every message gets the ConfigError naming the field.
 */
import { MotifClient } from '../../backends/motif';
import { toRecorderError, type RecorderError } from '../../common/errors';
import {
  ownConnection,
  registerNode,
  translator,
  type NodeDef,
  type RED,
  type ServerNode,
} from '../../common/node-red';
import { CREDENTIALS, readServerSettings, type ServerSettings } from './fields';

/** What motif user nodes see of this config node. */
type MotifServerNode = ServerNode<MotifClient>;

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<NodeDef>(
    RED,
    'motif-server',
    (node, config, life) => {
      const server = node as MotifServerNode;
      let settings: ServerSettings | undefined;
      let configError: RecorderError | undefined;
      try {
        settings = readServerSettings(config as unknown as Record<string, unknown>, node.credentials);
      } catch (err) {
        configError = toRecorderError(err);
        node.error(configError.message);
      }
      const rawKey = (node.credentials as { apiKey?: unknown } | undefined)?.apiKey;
      const raw = config as unknown as { host?: unknown; port?: unknown };
      server.address =
        settings?.address ?? `${String(raw.host ?? '')}:${String(raw.port ?? '')}`.slice(0, 80);

      server.openClient = () => {
        if (!settings) throw configError;
        return new MotifClient(settings);
      };
      server.connection = ownConnection(life, {
        create: () => server.openClient(),
        probe: async (client, signal) => {
          const version = await client.version({ signal });
          return { version: version.software };
        },
        destroy: (client) => client.close(),
        warning: settings?.tls.mode === 'insecure' ? t('motif-server.status.insecure') : undefined,
        configError,
        // The key as stored, even when it failed the checks: a server must never echo it back to a user.
        secrets: typeof rawKey === 'string' ? [rawKey, rawKey.trim()] : [],
      });
    },
    { credentials: CREDENTIALS },
  );
}
