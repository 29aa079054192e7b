/**
 * The node kit's config nodes (motif-server, remotive-broker, aivero-server): one shared client
 * per server behind a ConnectionManager. The kit reads and checks the configuration; a wrong field
 * does not throw, it makes the connection `failed` with the ConfigError naming that field, so every
 * user node shows it and every message gets it. A server node file says how its settings are
 * checked, how a client is made and probed, and which credentials must never be shown.
 */
import type { Transport } from './connection';
import { ConfigError, toRecorderError, type RecorderError } from '../common/errors';
import type { FieldTable, FieldValues } from './fields';
import { ownConnection, type CredentialSpec, type ServerNode } from './node-red';
import type { Translate } from './status';
import { defineNode, type NodeContext } from './define-node';
import type { Migration } from './migrations';

/** A checked configuration: what the connection needs. */
export interface ServerSettings<C> {
  /** host:port as users see it (never a credential). */
  address: string;
  create(): C;
  /** A standing warning every user node shows (TLS not verified). */
  warning?: string;
  /** Texts cut out of every error, log and status of this server. */
  secrets: string[];
}

export interface ServerDefinition<T extends FieldTable, C> {
  type: string;
  fields: T;
  credentials: CredentialSpec;
  migrations?: readonly Migration[];
  /**
   * Checks the configuration: its settings, or a throw naming the field (through `check`). Runs
   * once per deploy.
   */
  settings(values: FieldValues<T>, ctx: NodeContext<T>): ServerSettings<C>;
  /** Credentials as stored, for redaction when the configuration could not be read. */
  storedSecrets(credentials: Readonly<Record<string, unknown>>): string[];
  /** `users()`: how many nodes use this server now (see Transport.probe). */
  probe(client: C, signal: AbortSignal, t: Translate, users: () => number): Promise<Record<string, unknown>>;
  destroy(client: C): Promise<void>;
  /** What the address reads as when the configuration is wrong (never a credential). */
  unconfiguredAddress?(config: Readonly<Record<string, unknown>>): string;
}

/** Texts of the credentials that are worth redacting (very short ones would cut words). */
export function secretsOf(
  credentials: Readonly<Record<string, unknown>>,
  names: readonly string[],
): string[] {
  const out: string[] = [];
  for (const name of names) {
    const value = credentials[name];
    if (typeof value !== 'string') continue;
    for (const text of [value, value.trim()]) if (text.length >= 4 && !out.includes(text)) out.push(text);
  }
  return out;
}

export function defineServerNode<T extends FieldTable, C>(
  def: ServerDefinition<T, C>,
): ReturnType<typeof defineNode> {
  return defineNode<T>({
    type: def.type,
    fields: def.fields,
    credentials: def.credentials,
    migrations: def.migrations,
    setup: (base) => {
      const server = base.node as ServerNode<C>;
      let settings: ServerSettings<C> | undefined;
      let configError: RecorderError | undefined;
      try {
        // The table is read here (`values` is read on first use): a wrong field fails the connection.
        settings = def.settings(base.values, base);
      } catch (err) {
        const error = toRecorderError(err);
        configError = error instanceof ConfigError ? error : new ConfigError(error.message, def.type);
        base.node.error(configError.message);
      }
      server.address = settings?.address ?? def.unconfiguredAddress?.(base.config) ?? 'not configured';
      server.openClient = () => {
        if (!settings) throw configError;
        return settings.create();
      };
      const transport: Transport<C> = {
        create: () => server.openClient(),
        probe: (client, signal, users) => def.probe(client, signal, base.t, users),
        destroy: (client) => def.destroy(client),
        warning: settings?.warning,
        configError,
        secrets: settings?.secrets ?? def.storedSecrets(base.credentials),
      };
      server.connection = ownConnection(base.life, transport);
    },
  });
}
