/**
 * JSON as motif speaks it. Python's encoder writes non-finite numbers as the bare tokens `Infinity`,
 * `-Infinity` and `NaN` (vendor documentation), and motif relies on them: `value=+inf` toggles an output.
 * `JSON.stringify` would write `null`, and `JSON.parse` rejects the tokens, so both directions are
 * implemented here.
 */
import { InputError } from '../../common/errors';

/** Serialises a value like JSON.stringify, but writes ±Infinity and NaN as bare tokens. */
export function stringifyMotifJson(value: unknown): string {
  const out = write(value, new Set());
  return out ?? 'null';
}

function writeNumber(n: number): string {
  if (Number.isFinite(n)) return JSON.stringify(n);
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

/** Returns undefined for values JSON omits (undefined, functions, symbols). */
function write(value: unknown, seen: Set<object>): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      return writeNumber(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      throw new InputError('a motif request cannot contain a BigInt');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      break; // objects and arrays: below
  }
  const obj = value;
  const withToJson = obj as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON(), seen);
  if (seen.has(obj)) throw new InputError('a motif request cannot contain a circular structure');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return `[${obj.map((item) => write(item, seen) ?? 'null').join(',')}]`;
    const parts: string[] = [];
    for (const [key, item] of Object.entries(obj)) {
      const text = write(item, seen);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}

export class MotifJsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotifJsonSyntaxError';
  }
}

/**
 * Parses JSON that may contain `Infinity`, `-Infinity`, `NaN` outside strings. An empty or
 * whitespace-only text gives `{}` (the Python client treats an empty 2xx body the same way).
 * Throws MotifJsonSyntaxError on anything else that is not JSON.
 */
export function parseMotifJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Fall through to the tolerant parser, which is only needed for the non-standard tokens.
  }
  const parser = new TolerantParser(text);
  const value = parser.value();
  parser.end();
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

class TolerantParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  end(): void {
    this.skip();
    if (this.pos !== this.text.length) this.fail('unexpected text after the JSON value');
  }

  value(): unknown {
    this.skip();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    for (const [token, result] of LITERALS) {
      if (this.text.startsWith(token, this.pos)) {
        this.pos += token.length;
        return result;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail('unexpected character');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos++;
    this.skip();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== '"') this.fail('expected a property name');
      const key = this.string();
      this.skip();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      // defineProperty keeps a "__proto__" key an ordinary property, as JSON.parse does.
      Object.defineProperty(result, key, {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skip();
      const c = this.text[this.pos++];
      if (c === '}') return result;
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    this.skip();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.skip();
      const c = this.text[this.pos++];
      if (c === ']') return result;
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }

  private string(): string {
    STRING.lastIndex = this.pos;
    const m = STRING.exec(this.text);
    if (!m) this.fail('bad string');
    this.pos += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  private skip(): void {
    WHITESPACE.lastIndex = this.pos;
    const m = WHITESPACE.exec(this.text);
    if (m) this.pos += m[0].length;
  }

  private fail(what: string): never {
    throw new MotifJsonSyntaxError(`invalid JSON at position ${this.pos}: ${what}`);
  }
}

const LITERALS: ReadonlyArray<[string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['NaN', NaN],
];
