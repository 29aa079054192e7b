/**
 * remotive-broker: the config node that owns one RemotiveClient (one gRPC channel) per broker and
 * shares it with every remotive node through the common connection. The first user triggers a
 * licence check (what the vendor SDK does on connect); a licence other than VALID does not block
 * calls (the broker decides what it still allows), it becomes the standing warning every user node
 * shows. A wrong field makes the connection fail at once with a ConfigError naming it, so every
 * user node shows it and every message gets it.
 */
import {
  RemotiveClient,
  checkCa,
  checkCredential,
  parseBrokerUrl,
  type RemotiveClientOptions,
} from '../../backends/remotive';
import type { Transport } from '../../common/connection';
import { ConfigError, InputError, RecorderError } from '../../common/errors';
import { readConfig } from '../../common/fields';
import {
  ownConnection,
  registerNode,
  translator,
  type NodeDef,
  type RED,
  type ServerNode,
} from '../../common/node-red';
import { CREDENTIALS, FIELDS } from './fields';

const TYPE = 'remotive-broker';

/** Where a client points when the configuration is wrong: it is never dialled (configError). */
const UNUSED_URL = 'http://127.0.0.1:1';

type BrokerNode = ServerNode<RemotiveClient>;

/** What the editor calls each checked field, credentials included. */
const LABELS: Record<string, string> = {
  url: FIELDS.url.label,
  ca: FIELDS.ca.label,
  apiKey: 'API key',
  accessToken: 'access token',
};

/** The client options of a configuration, or the ConfigError that names its wrong field. */
function clientOptions(
  config: Readonly<Record<string, unknown>>,
  credentials: { apiKey?: string; accessToken?: string },
): { options: RemotiveClientOptions; address: string } {
  const values = readConfig(FIELDS, config, TYPE);
  /** Runs one field's check; its complaint becomes a ConfigError naming that field. */
  const checked = (name: string, check: () => void): void => {
    try {
      check();
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const label = name in LABELS ? LABELS[name] : name;
      const problem = err instanceof Error ? err.message : String(err);
      // "<node type>: <field> …", the form every field error takes (see common/fields.ts).
      throw new ConfigError(`${TYPE}: ${label}: ${problem}`, name, `invalid ${label}`);
    }
  };
  let address = '';
  let secure = false;
  checked('url', () => {
    const parsed = parseBrokerUrl(values.url);
    address = parsed.target;
    secure = parsed.secure;
  });
  if (values.ca) {
    checked('ca', () => {
      if (!secure)
        throw new InputError('a CA certificate is set but the broker URL is http:// (use https://)');
      checkCa(values.ca);
    });
  }
  const apiKey = (credentials.apiKey ?? '').trim();
  const accessToken = (credentials.accessToken ?? '').trim();
  checked('apiKey', () => checkCredential(apiKey, 'API key'));
  checked('accessToken', () => checkCredential(accessToken, 'access token'));
  const ms = (name: 'timeout' | 'keepalive' | 'statusStall'): number =>
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed: the field type has the default optional
    Math.round((values[name] ?? (FIELDS[name].default as number)) * 1000);
  return {
    address,
    options: {
      url: values.url,
      apiKey: apiKey || undefined,
      accessToken: accessToken || undefined,
      ca: values.ca || undefined,
      timeoutMs: ms('timeout'),
      keepaliveMs: ms('keepalive'),
      statusStallMs: ms('statusStall'),
    },
  };
}

export default function (RED: RED): void {
  const t = translator(RED);
  registerNode<NodeDef>(
    RED,
    TYPE,
    (node, config, life) => {
      const broker = node as BrokerNode;
      const credentials = (node.credentials ?? {}) as { apiKey?: string; accessToken?: string };
      let options: RemotiveClientOptions = { url: UNUSED_URL };
      let configError: RecorderError | undefined;
      try {
        const read = clientOptions(config as unknown as Record<string, unknown>, credentials);
        options = read.options;
        broker.address = read.address;
      } catch (err) {
        configError = err instanceof RecorderError ? err : new ConfigError(String(err), TYPE);
        broker.address = 'not configured';
      }
      const secrets = [credentials.apiKey, credentials.accessToken]
        .map((s) => (s ?? '').trim())
        .filter((s) => s !== '');

      const transport: Transport<RemotiveClient> = {
        create: () => new RemotiveClient(options),
        probe: async (client, signal) => {
          const licence = await client.licence({ signal });
          return {
            licence: licence.status,
            ...(licence.expires ? { expires: licence.expires } : {}),
            ...(licence.valid
              ? {}
              : { warning: t('remotive-broker.status.licence', { licence: licence.status }) }),
          };
        },
        destroy: (client) => client.close(),
        configError,
        secrets,
      };
      // Closed after its users have left (remotive-playback closing its sessions), within a bound.
      broker.connection = ownConnection(life, transport);
      broker.openClient = () => {
        if (configError) throw configError;
        return new RemotiveClient(options);
      };
    },
    { credentials: CREDENTIALS },
  );
}
