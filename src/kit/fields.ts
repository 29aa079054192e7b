/**
 * One declarative reader for what a node is told: its configuration fields and the `msg` properties
 * that may stand in for them. Each node type declares one table (`nodes/<type>/fields.ts`); the
 * runtime reads config and messages through it and the build hands the same defaults to the editor,
 * so a missing property means the same thing in both. No Node-RED imports.
 *
 * The override rule, the same for every node: a configured value wins. A `msg` property is used only
 * where the node is set to "from msg", which is the field left empty (an empty text, an empty number,
 * the "from msg" entry of a list). Booleans are never overridden by a message.
 */
import { ConfigError, InputError } from '../common/errors';
import { currentVersion, VERSION_PROPERTY, type Migration } from './migrations';
import { describe, isPlainObject, type JsonObject } from '../common/input';

interface Common {
  /** What the editor calls the field, for error texts. */
  label: string;
  /** Older property names this field was saved under (config migrations): read when the field is missing. */
  legacy?: readonly string[];
}

export interface TextField extends Common {
  type: 'string';
  default: string;
  /** The msg property that supplies the value when the field is empty. */
  msg?: string;
  /** Allowed values ("" is always allowed where `msg` is set: it means "from msg"). */
  choices?: readonly string[];
  /** The editor's grouping of `choices` (group name → values), for a long list. */
  groups?: Readonly<Record<string, readonly string[]>>;
  /**
   * For a field that picks what the node does (an operation): per choice, the other fields it
   * reads. The editor shows and checks a field named in these lists only where the chosen value
   * lists it; a choice not listed (from msg) may read any; fields named nowhere are always read.
   */
  uses?: Readonly<Record<string, readonly string[]>>;
  /**
   * Values the editor offers in a list without enforcing them (a server may know more): the
   * runtime takes any text, and warns or lets the server decide.
   */
  suggestions?: readonly string[];
  maxLength?: number;
  /** Empty is an error (when no msg property may fill it). */
  required?: boolean;
}

export interface NumberField extends Common {
  type: 'number';
  default: number | undefined;
  msg?: string;
  min?: number;
  max?: number;
  integer?: boolean;
  required?: boolean;
}

export interface FlagField extends Common {
  type: 'boolean';
  default: boolean;
}

/** A JSON object typed into the editor (arguments), parsed once when the node starts. */
export interface JsonField extends Common {
  type: 'json';
  default: string;
  /** The lists an editor builder offers for parts of the object (the backend's own tables). */
  parts?: Readonly<Record<string, readonly (string | number)[]>>;
}

/**
 * An editable list (schedules, tasks): its rows are read and checked by the node itself, so the
 * table passes the value through; it holds the default (a missing list) and the rows a newly
 * dropped node starts with in the editor.
 */
export interface ListField extends Common {
  type: 'list';
  default: readonly JsonObject[];
  /** The editor's starting rows for a new node (a missing list still means `default`). */
  start?: readonly JsonObject[];
  /** The lists the editor's row builder offers (the backend's own tables). */
  parts?: Readonly<Record<string, readonly (string | number)[]>>;
}

/** A reference to a config node of `nodeType`. */
export interface NodeRefField extends Common {
  type: 'node';
  default: '';
  nodeType: string;
  required: boolean;
}

export type FieldSpec = TextField | NumberField | FlagField | JsonField | NodeRefField | ListField;
export type FieldTable = Record<string, FieldSpec>;

type ValueOf<F extends FieldSpec> = F extends TextField
  ? string
  : F extends NumberField
    ? number | undefined
    : F extends FlagField
      ? boolean
      : F extends JsonField
        ? JsonObject | undefined
        : F extends ListField
          ? unknown
          : string;

export type FieldValues<T extends FieldTable> = { [K in keyof T]: ValueOf<T[K]> };

/** Declaring fields with these keeps each one's value type. */
export const field = {
  text: (spec: Omit<TextField, 'type' | 'default'> & { default?: string }): TextField => ({
    type: 'string',
    default: '',
    ...spec,
  }),
  number: (spec: Omit<NumberField, 'type'>): NumberField => ({ type: 'number', ...spec }),
  flag: (spec: Omit<FlagField, 'type'>): FlagField => ({ type: 'boolean', ...spec }),
  json: (spec: Omit<JsonField, 'type' | 'default'> & { default?: string }): JsonField => ({
    type: 'json',
    default: '',
    ...spec,
  }),
  node: (
    spec: Omit<NodeRefField, 'type' | 'default' | 'required'> & { required?: boolean },
  ): NodeRefField => ({
    type: 'node',
    default: '',
    required: true,
    ...spec,
  }),
  list: (spec: Omit<ListField, 'type' | 'default'>): ListField => ({ type: 'list', default: [], ...spec }),
  /** The node's name, as every node has one (Node-RED shows it instead of the label). */
  name: (): TextField => ({ type: 'string', default: '', label: 'name', maxLength: 200 }),
};

/** Longest text any field takes unless it says otherwise; beyond it a value is a mistake or an attack. */
const MAX_TEXT = 1000;
/** Longest JSON text a node's arguments field takes. */
const MAX_JSON = 100_000;

type Fail = (message: string) => never;

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function readText(spec: TextField, raw: unknown, fail: Fail, fromMsg: boolean): string {
  let value: string;
  if (typeof raw === 'string') value = raw.trim();
  else if (typeof raw === 'number' && Number.isFinite(raw)) value = String(raw);
  else return fail(`must be text, got ${describe(raw)}`);
  const max = spec.maxLength ?? MAX_TEXT;
  if (value.length > max) return fail(`is longer than ${max} characters (${value.length})`);
  if (spec.choices && !(value === '' && !fromMsg && spec.msg) && !spec.choices.includes(value)) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return fail(`must be one of ${spec.choices.join(', ')}, got "${shown}"`);
  }
  return value;
}

function readNumber(spec: NumberField, raw: unknown, fail: Fail): number | undefined {
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && raw.trim() !== '' && raw.length <= 40) value = Number(raw.trim());
  else return fail(`must be a number, got ${describe(raw)}`);
  if (Number.isNaN(value) && typeof raw === 'string') return fail(`must be a number, got ${describe(raw)}`);
  if (!Number.isFinite(value)) return fail(`must be a finite number, got ${describe(raw)}`);
  if (spec.integer && !Number.isInteger(value)) return fail(`must be a whole number, got ${value}`);
  if (spec.min !== undefined && value < spec.min) return fail(`must be at least ${spec.min}, got ${value}`);
  if (spec.max !== undefined && value > spec.max) return fail(`must be at most ${spec.max}, got ${value}`);
  return value;
}

function readFlag(raw: unknown, fail: Fail): boolean {
  if (typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return fail(`must be true or false, got ${describe(raw)}`);
}

function readJson(raw: unknown, fail: Fail): JsonObject | undefined {
  if (isPlainObject(raw)) return raw;
  if (typeof raw !== 'string') return fail(`must be a JSON object, got ${describe(raw)}`);
  if (raw.trim() === '') return undefined;
  if (raw.length > MAX_JSON) return fail(`is longer than ${MAX_JSON} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return fail(`is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(parsed)) return fail(`must be a JSON object, got ${describe(parsed)}`);
  return parsed;
}

function readOne(spec: FieldSpec, raw: unknown, fail: Fail, fromMsg: boolean): unknown {
  switch (spec.type) {
    case 'string':
      return readText(spec, raw, fail, fromMsg);
    case 'number':
      return readNumber(spec, raw, fail);
    case 'boolean':
      return readFlag(raw, fail);
    case 'json':
      return readJson(raw, fail);
    case 'node':
      if (typeof raw !== 'string') return fail(`must be a node id, got ${describe(raw)}`);
      return raw;
    case 'list':
      // The node reads and checks its rows itself (with errors that name the row).
      return raw;
  }
}

/**
 * A node's configuration through its table: a missing field takes its default (old flows keep
 * working), a present but wrong one is a ConfigError naming the field. `where` names the node type.
 */
export function readConfig<T extends FieldTable>(
  table: T,
  config: Readonly<Record<string, unknown>>,
  where: string,
): FieldValues<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    let raw = config[name];
    if (raw === undefined) for (const old of spec.legacy ?? []) raw ??= config[old];
    const fail: Fail = (problem) => {
      throw new ConfigError(`${where}: ${spec.label} ${problem}`, name, `invalid ${spec.label}`);
    };
    if (raw === undefined || raw === null) raw = spec.default;
    const value =
      raw === undefined || (raw === '' && (spec.type === 'number' || spec.type === 'node'))
        ? spec.default
        : readOne(spec, raw, fail, false);
    const missing = value === undefined || value === '';
    const mayComeFromMsg = 'msg' in spec && spec.msg !== undefined;
    if (missing && 'required' in spec && spec.required && !mayComeFromMsg) fail('is required');
    out[name] = value;
  }
  return out as FieldValues<T>;
}

/** Per table, the fields a message may fill (text and number fields with a msg property). */
type Overridable = (TextField | NumberField) & { msg: string };
const OVERRIDABLE = new WeakMap<FieldTable, Array<[string, Overridable]>>();

function overridable(table: FieldTable): Array<[string, Overridable]> {
  let list = OVERRIDABLE.get(table);
  if (!list) {
    list = Object.entries(table).filter(
      (entry): entry is [string, Overridable] =>
        (entry[1].type === 'string' || entry[1].type === 'number') && Boolean(entry[1].msg),
    );
    OVERRIDABLE.set(table, list);
  }
  return list;
}

/**
 * The values for one message: configured values as read by `readConfig`, and for each field that
 * is set to "from msg" (left empty) the message's property, checked by the same rules. A wrong msg
 * value is an InputError naming `msg.<property>`; nothing has reached a server yet.
 */
export function resolveInput<T extends FieldTable>(
  table: T,
  configured: FieldValues<T>,
  msg: Readonly<Record<string, unknown>>,
): FieldValues<T> {
  let out: Record<string, unknown> | undefined;
  for (const [name, spec] of overridable(table)) {
    const current = (configured as Record<string, unknown>)[name];
    if (current !== undefined && current !== '') continue;
    const raw = msg[spec.msg];
    if (!present(raw)) {
      if (spec.required)
        throw new InputError(
          `${spec.label} is needed: set it in the node or in msg.${spec.msg}`,
          `msg.${spec.msg}`,
        );
      continue;
    }
    const prop = spec.msg;
    const fail: Fail = (problem) => {
      throw new InputError(`msg.${prop} (${spec.label}) ${problem}`, `msg.${prop}`);
    };
    out ??= { ...configured };
    out[name] = readOne(spec, raw, fail, true);
  }
  return (out ?? configured) as FieldValues<T>;
}

/**
 * Node-RED editor `defaults` for the table: the same defaults the runtime applies (a list starts
 * with its `start` rows in a new node; the editor keeps a missing list missing).
 */
export function editorDefaults(
  table: FieldTable,
  migrations: readonly Migration[] = [],
): Record<string, { value: unknown; required?: boolean; type?: string }> {
  const out: Record<string, { value: unknown; required?: boolean; type?: string }> = {};
  // A type whose configuration has changed keeps the version a migrated flow was saved at.
  if (migrations.length > 0) out[VERSION_PROPERTY] = { value: currentVersion(migrations) };
  for (const [name, spec] of Object.entries(table)) {
    const value = spec.type === 'list' ? (spec.start ?? spec.default) : spec.default;
    const entry: { value: unknown; required?: boolean; type?: string } = { value: value ?? '' };
    if (spec.type === 'node') {
      entry.type = spec.nodeType;
      if (spec.required) entry.required = true;
    }
    out[name] = entry;
  }
  return out;
}
