/**
 * aivero-server: the config node that owns one Aivero client (one keep-alive pool) per server and
 * shares it with every aivero node that uses it. The first user starts a health probe (`/healthz`
 * and one cheap query, which checks the credential too); the connection state fans out to every
 * user's status. A wrong field makes the connection `failed` at once: every user node is red and
 * every message gets the ConfigError naming the field.
 */
import { AiveroClient, type AiveroClientOptions } from '../../backends/aivero';
import type { Transport } from '../../common/connection';
import { ConfigError, toRecorderError, type RecorderError } from '../../common/errors';
import { readConfig } from '../../common/fields';
import { ownConnection, registerNode, type NodeDef, type RED, type ServerNode } from '../../common/node-red';
import { CREDENTIALS, FIELDS } from './fields';
import { checkServer, type ServerCredentials } from './options';

export default function (RED: RED): void {
  registerNode<NodeDef>(
    RED,
    'aivero-server',
    (node, config, life) => {
      const server = node as ServerNode<AiveroClient>;
      let configError: RecorderError | undefined;
      let options: AiveroClientOptions = { endpoint: 'https://127.0.0.1/v1/graphql' };
      let warning: string | undefined;
      let secrets: string[] = [];
      server.address = 'unconfigured';
      try {
        const values = readConfig(FIELDS, config as unknown as Record<string, unknown>, 'aivero-server');
        const checked = checkServer(values, node.credentials ?? {});
        options = checked.options;
        warning = checked.warning;
        secrets = checked.secrets;
        server.address = checked.address;
      } catch (err) {
        configError = toRecorderError(err);
        if (!(configError instanceof ConfigError)) configError = new ConfigError(configError.message);
        // A credential typed into the wrong field must not show up in the error either.
        const creds = (node.credentials ?? {}) as ServerCredentials;
        secrets = [creds.adminSecret, creds.jwt].filter((s): s is string => !!s && s.length >= 4);
      }
      server.openClient = () => new AiveroClient(options);
      const transport: Transport<AiveroClient> = {
        create: () => server.openClient(),
        probe: async (client, signal) => {
          const health = await client.health({ signal });
          // The enums (camera models, states …) by introspection, for the checks before each call.
          await client.schema({ signal });
          return { healthzMs: Math.round(health.healthzMs), queryMs: Math.round(health.queryMs) };
        },
        destroy: (client) => client.close(),
        warning,
        configError,
        secrets,
      };
      server.connection = ownConnection(life, transport);
    },
    { credentials: CREDENTIALS },
  );
}
