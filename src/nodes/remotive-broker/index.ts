/**
 * remotive-broker: the config node that owns one RemotiveClient (one gRPC channel) per broker and
 * shares it with every remotive node. The first user triggers a licence check (what the vendor SDK
 * does on connect); an invalid licence does not block calls, it shows as a warning in the users'
 * status, because the broker itself decides what it still allows.
 */
import { RemotiveClient, parseBrokerUrl } from '../../backends/remotive';
import { ConnectionManager, type Transport } from '../../common/connection';
import { ConfigError, RecorderError } from '../../common/errors';
import { registerNode, type Node, type NodeDef, type RED } from '../../common/node-red';
import { status, type NodeStatusShape, type Translate } from '../../common/status';

export interface RemotiveBrokerConfig extends NodeDef {
  url: string;
  ca: string;
  timeout: string | number;
  /** Keepalive ping interval, s (default 30; 0 = off). */
  keepalive?: string | number;
  /** A playing status stream silent this long is stalled, s (default 5). */
  statusStall?: string | number;
}

export interface RemotiveBrokerNode extends Node {
  connection: ConnectionManager<RemotiveClient>;
  /** host:port of the broker, for msg metadata (never a credential). */
  address: string;
}

export const REMOTIVE_BROKER_CREDENTIALS = {
  apiKey: { type: 'password' },
  accessToken: { type: 'password' },
} as const;

/** Where a URL that cannot be parsed points, so the client can still be built (its probe fails). */
const UNUSABLE_URL = 'http://127.0.0.1:1';

/** How long closing the broker waits for its users to leave first. */
const USERS_LEAVE_MS = 2500;

/** A warning when the broker's licence is not VALID (what the vendor SDK refuses to work with). */
export function licenceWarning(broker: RemotiveBrokerNode, t: Translate): NodeStatusShape | undefined {
  const licence = broker.connection.snapshot.info?.licence;
  if (typeof licence === 'string' && licence !== 'VALID')
    return status('warning', t('remotive-broker.status.licence', { licence }));
  return undefined;
}

/**
 * The status a remotive user node shows for its broker: the shared connection status, except that
 * a connected broker with a licence other than VALID shows a warning with the licence state.
 */
export function brokerStatus(
  broker: RemotiveBrokerNode,
  shape: NodeStatusShape,
  connected: boolean,
  t: Translate,
): NodeStatusShape {
  return (connected ? licenceWarning(broker, t) : undefined) ?? shape;
}

function seconds(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export default function (RED: RED): void {
  registerNode<RemotiveBrokerConfig>(
    RED,
    'remotive-broker',
    (node, config, life) => {
      const broker = node as RemotiveBrokerNode;
      const credentials = (node.credentials ?? {}) as { apiKey?: string; accessToken?: string };
      const apiKey = (credentials.apiKey ?? '').trim();
      const accessToken = (credentials.accessToken ?? '').trim();
      const ca = (config.ca ?? '').trim();
      const timeoutMs = Math.max(1, Number(config.timeout) || 10) * 1000;
      let url = (config.url || 'http://127.0.0.1:50051').trim();
      let configProblem: RecorderError | undefined;
      try {
        const address = parseBrokerUrl(url);
        broker.address = address.target;
        if (ca && !address.secure)
          throw new ConfigError('a CA certificate is set but the broker URL is http:// (use https://)');
      } catch (err) {
        configProblem =
          err instanceof RecorderError ? new ConfigError(err.message) : new ConfigError(String(err));
        broker.address = 'not configured';
        url = UNUSABLE_URL;
      }

      const transport: Transport<RemotiveClient> = {
        create: () =>
          new RemotiveClient({
            url,
            apiKey: apiKey || undefined,
            accessToken: accessToken || undefined,
            ca: configProblem ? undefined : ca || undefined,
            timeoutMs,
            keepaliveMs: seconds(config.keepalive, 30) * 1000,
            statusStallMs: seconds(config.statusStall, 5) * 1000,
          }),
        probe: async (client, signal) => {
          if (configProblem) throw configProblem;
          const licence = await client.licence({ signal });
          return { licence: licence.status, ...(licence.expires ? { expires: licence.expires } : {}) };
        },
        destroy: (client) => client.close(),
      };
      broker.connection = new ConnectionManager(transport);
      // Node-RED stops a flow's nodes together: give users a moment to finish their last calls
      // (remotive-playback closing its sessions) before the channel goes.
      life.add(async () => {
        const deadline = Date.now() + USERS_LEAVE_MS;
        while (broker.connection.userCount > 0 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 10));
        await broker.connection.close();
      });
    },
    { credentials: REMOTIVE_BROKER_CREDENTIALS },
  );
}
