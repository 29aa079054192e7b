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
} from '../../src/backends/remotive';
import { ConfigError, InputError } from '../../src/common/errors';
import { readConfig } from '../../src/kit/fields';
import { defineServerNode, secretsOf } from '../../src/kit/server-node';
import { CREDENTIALS, FIELDS } from './fields';

const TYPE = 'remotive-broker';

const SECRET_NAMES = ['apiKey', 'accessToken'] as const;

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
      // "<node type>: <field> …", the form every field error takes (see kit/fields.ts).
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

export default defineServerNode<typeof FIELDS, RemotiveClient>({
  type: TYPE,
  fields: FIELDS,
  credentials: CREDENTIALS,
  settings: (_values, ctx) => {
    const credentials = ctx.credentials as { apiKey?: string; accessToken?: string };
    const { options, address } = clientOptions(ctx.config, credentials);
    return {
      address,
      create: () => new RemotiveClient(options),
      secrets: secretsOf(ctx.credentials, SECRET_NAMES),
    };
  },
  storedSecrets: (credentials) => secretsOf(credentials, SECRET_NAMES),
  probe: async (client, signal, t) => {
    const licence = await client.licence({ signal });
    return {
      licence: licence.status,
      ...(licence.expires ? { expires: licence.expires } : {}),
      ...(licence.valid ? {} : { warning: t('remotive-broker.status.licence', { licence: licence.status }) }),
    };
  },
  destroy: (client) => client.close(),
});
