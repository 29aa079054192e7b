/**
 * The node kit's base: one registration for every node type. It owns what each node file used to
 * write again: `createNode`, the disposer that `close` drains, reading the configuration through
 * the node's field table (migrations first), the translator, and the editor routes registered once
 * per runtime. A node file states only what is specific to it, in `setup`.
 */
import { ConfigError } from '../common/errors';
import { readConfig, type FieldTable, type FieldValues } from './fields';
import type { Disposer } from './disposer';
import { registerNode, translator, type CredentialSpec, type Node, type NodeDef, type RED } from './node-red';
import type { Translate } from './status';
import { migrateConfig, type Migration } from './migrations';

export interface NodeContext<T extends FieldTable> {
  readonly RED: RED;
  readonly node: Node;
  readonly life: Disposer;
  readonly t: Translate;
  readonly type: string;
  /** The configuration as the field table reads it. */
  readonly values: FieldValues<T>;
  /** The configuration as saved (after migrations), for what a table does not describe (lists). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly credentials: Readonly<Record<string, unknown>>;
  /** Runs a check beyond the table; its complaint becomes a ConfigError naming `field`. */
  check<R>(field: string, read: () => R): R;
}

export interface NodeDefinition<T extends FieldTable> {
  type: string;
  fields: T;
  credentials?: CredentialSpec;
  /** Older shapes of this node's configuration, oldest first (see migrations.ts). */
  migrations?: readonly Migration[];
  closeTimeoutMs?: number;
  /** Editor look-ups of this node type (admin routes), registered once per runtime. */
  admin?: (RED: RED) => void;
  setup(ctx: NodeContext<T>): void;
}

/** A ConfigError naming `field` for a check's complaint (a ConfigError passes through as it is). */
export function fieldError(type: string, field: string, label: string, err: unknown): ConfigError {
  if (err instanceof ConfigError) return err;
  const problem = err instanceof Error ? err.message : String(err);
  return new ConfigError(`${type}: ${label}: ${problem}`, field, `invalid ${label}`);
}

/**
 * The context a node's setup gets. The table is read when `values` is first asked for, so a throw
 * lands where the node asked: in a user node's setup (the node answers every message with it), or
 * in a config node's check (its connection fails with it).
 */
export function nodeContext<T extends FieldTable>(
  def: NodeDefinition<T>,
  RED: RED,
  t: Translate,
  node: Node,
  saved: NodeDef,
  life: Disposer,
): NodeContext<T> {
  const config = migrateConfig(saved as unknown as Record<string, unknown>, def.migrations ?? []);
  let values: FieldValues<T> | undefined;
  const labelOf = (field: string): string =>
    field in def.fields ? (def.fields[field] as { label: string }).label : field;
  return {
    RED,
    node,
    life,
    t,
    type: def.type,
    get values() {
      values ??= readConfig(def.fields, config, def.type);
      return values;
    },
    config,
    credentials: node.credentials ?? {},
    check: (field, read) => {
      try {
        return read();
      } catch (err) {
        throw fieldError(def.type, field, labelOf(field), err);
      }
    },
  };
}

/** The module function Node-RED calls for one node type. */
export function defineNode<T extends FieldTable>(def: NodeDefinition<T>): (RED: RED) => void {
  return (RED) => {
    const t = translator(RED);
    def.admin?.(RED);
    registerNode<NodeDef>(
      RED,
      def.type,
      (node, saved, life) => def.setup(nodeContext(def, RED, t, node, saved, life)),
      {
        credentials: def.credentials,
        closeTimeoutMs: def.closeTimeoutMs,
      },
    );
  };
}
