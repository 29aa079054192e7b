/**
 * motif-server: the config node that owns one motif client (one keep-alive pool) per server and
 * shares it with every motif node that uses it. It probes the server with `GET /version` when the
 * first user arrives and fans the connection state out to the users' status.
 */
import { MotifClient, type MotifTls } from '../../backends/motif/client';
import { ConnectionManager, type Transport } from '../../common/connection';
import { ConfigError } from '../../common/errors';
import { registerNode, translator, type Node, type NodeDef, type RED } from '../../common/node-red';

export interface MotifServerConfig extends NodeDef {
  host: string;
  port: string | number;
  tlsMode: 'fingerprint' | 'ca' | 'insecure';
  fingerprint: string;
  ca: string;
  timeout: string | number;
}

export interface MotifServerNode extends Node {
  connection: ConnectionManager<MotifClient>;
  /** host:port, for msg metadata and errors (never the key). */
  address: string;
  /**
   * A separate client with this server's settings, for work that must finish while the shared
   * connection is closing (a removed motif-schedule deleting its tasks). The caller closes it.
   */
  openClient(): MotifClient;
}

export const MOTIF_SERVER_CREDENTIALS = { apiKey: { type: 'password' } } as const;

export function tlsFromConfig(config: Pick<MotifServerConfig, 'tlsMode' | 'fingerprint' | 'ca'>): MotifTls {
  switch (config.tlsMode) {
    case 'insecure':
      return { mode: 'insecure' };
    case 'ca':
      if (!config.ca?.trim()) throw new ConfigError('TLS mode "CA certificate" needs a CA certificate (PEM)');
      return { mode: 'ca', ca: config.ca };
    default:
      return config.fingerprint?.trim()
        ? { mode: 'fingerprint', fingerprint: config.fingerprint.trim() }
        : { mode: 'fingerprint' };
  }
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<MotifServerConfig>(
    RED,
    'motif-server',
    (node, config, life) => {
      const server = node as MotifServerNode;
      const host = (config.host || '127.0.0.1').trim();
      const port = Number(config.port) || 6083;
      const timeoutMs = Math.max(1, Number(config.timeout) || 10) * 1000;
      const apiKey = ((node.credentials as { apiKey?: string } | undefined)?.apiKey ?? '').trim();
      server.address = `${host}:${port}`;

      let configProblem: ConfigError | undefined;
      let tls: MotifTls = { mode: 'fingerprint' };
      try {
        tls = tlsFromConfig(config);
      } catch (err) {
        configProblem = err as ConfigError;
      }
      if (!apiKey) configProblem ??= new ConfigError(`motif-server ${server.address} has no API key`);

      server.openClient = () => new MotifClient({ host, port, apiKey: apiKey || 'unset', tls, timeoutMs });
      const transport: Transport<MotifClient> = {
        create: () => server.openClient(),
        probe: async (client, signal) => {
          if (configProblem) throw configProblem;
          const version = await client.version({ signal });
          return { version: version.software };
        },
        destroy: (client) => client.close(),
        warning: tls.mode === 'insecure' ? t('motif-server.status.insecure') : undefined,
      };
      server.connection = new ConnectionManager(transport);
      life.add(() => server.connection.close());
    },
    { credentials: MOTIF_SERVER_CREDENTIALS },
  );
}
