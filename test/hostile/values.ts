/**
 * A deterministic generator of hostile messages: wrong types in every documented msg property,
 * NaN/±Infinity/huge numbers, 1 MB strings, nesting 200 and 5,000 levels deep (and 100,000 in
 * `uncopyableMessages`: a 10 kB JSON payload from MQTT can be that deep; objects and arrays),
 * getters and proxies that throw, arrays,
 * null, `__proto__` / `constructor` keys, dot segments, slashes, control characters, markup and odd
 * unicode. The same seed gives the same messages, so a failure names a message that can be replayed.
 */

/** mulberry32: small, fast, good enough to pick values. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nested(depth: number, array: boolean): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = array ? [value] : { a: value };
  return value;
}

const MEGABYTE = 'x'.repeat(1024 * 1024);

/** An object whose property throws when read (as a deep copy or a check reads it). */
export function throwingGetter(): object {
  const value = { ok: 1 };
  Object.defineProperty(value, 'bad', {
    enumerable: true,
    get(): never {
      throw new Error('a getter that throws');
    },
  });
  return value;
}

/** A proxy every trap of which throws. */
export function throwingProxy(): object {
  const trap = (name: string) => (): never => {
    throw new Error(`the proxy's ${name} trap throws`);
  };
  return new Proxy(
    {},
    {
      get: trap('get'),
      has: trap('has'),
      ownKeys: trap('ownKeys'),
      getOwnPropertyDescriptor: trap('getOwnPropertyDescriptor'),
      getPrototypeOf: trap('getPrototypeOf'),
      set: trap('set'),
      defineProperty: trap('defineProperty'),
      deleteProperty: trap('deleteProperty'),
    },
  );
}

/**
 * Values Node-RED's own deep copy (for Catch and Complete nodes) fails on. Made afresh for each
 * test that uses them and let go after: 200,000 nested objects kept alive through the whole suite
 * would make every collection of the heap longer (pauses of the test's making).
 */
export function uncopyableValues(): unknown[] {
  return [
    nested(5000, false),
    nested(5000, true),
    nested(100_000, false),
    nested(100_000, true),
    throwingGetter(),
    throwingProxy(),
  ];
}

/** Strings that must never reach a server as they are. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '.',
  '..',
  '/',
  '../..',
  '../recording/start',
  'a/b',
  'FAKE0/../..',
  '%2e%2e',
  '\u0000',
  'FAKE0\u0000',
  'x\r\nInjected-Header: 1',
  '\u001b[31mred\u001b[0m',
  '<img src=x onerror=alert(1)>',
  '"; DROP TABLE x; --',
  '${process.env.HOME}',
  '\u202eevil',
  '😀'.repeat(300),
  'é',
  MEGABYTE,
  'all',
  '*',
  '__all',
  'schedule/clear',
  'recording/stop',
  'multicam/disconnect_all',
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  '0x10',
  'true',
];

/** Everything else: numbers at the edges, wrong shapes, prototype keys, deep nesting. */
export function hostileNonStrings(): unknown[] {
  return [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    NaN,
    Infinity,
    -Infinity,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 53,
    [],
    [1, 2, 3],
    ['FAKE0', '..'],
    {},
    JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    { constructor: { prototype: { polluted: true } } },
    { toString: 'not a function', valueOf: 1 },
    nested(200, false),
    nested(200, true),
    // Too deep for Node-RED's copy; the 100,000-level ones are in `uncopyableMessages`.
    nested(5000, false),
    nested(5000, true),
    throwingGetter(),
    throwingProxy(),
    Buffer.from('buffer'),
    new Date(Number.NaN),
    () => 'a function',
    Symbol('sym'),
    BigInt(12),
  ];
}

export interface HostileMessage {
  [key: string]: unknown;
  _msgid: string;
}

/**
 * `count` messages for a node whose documented msg properties are `props`: each sets one to three
 * of them (and sometimes `payload` and `topic`) to hostile values, the rest of the time leaving
 * them as a user would (`valid` gives a sensible value per property, so hostile values also meet
 * otherwise good messages).
 */
export function hostileMessages(
  props: readonly string[],
  count: number,
  seed: number,
  valid: Record<string, unknown> = {},
): HostileMessage[] {
  const random = seeded(seed);
  const pool: unknown[] = [...HOSTILE_STRINGS, ...hostileNonStrings()];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const out: HostileMessage[] = [];
  for (let i = 0; i < count; i++) {
    const msg: HostileMessage = { _msgid: `hostile-${seed}-${i}` };
    for (const [key, value] of Object.entries(valid)) if (random() < 0.5) msg[key] = value;
    // Walk the pool in order first, so every value meets every property at least once.
    const hostileCount = 1 + Math.floor(random() * 3);
    for (let h = 0; h < hostileCount; h++) {
      const prop = h === 0 ? props[i % props.length] : pick([...props, 'payload', 'topic']);
      msg[prop] = h === 0 ? pool[Math.floor(i / props.length) % pool.length] : pick(pool);
    }
    out.push(msg);
  }
  return out;
}

/**
 * One message per documented property (and `payload`) per value Node-RED can not copy, the other
 * properties as a user would set them: every node must still answer each with an output or an
 * error a Catch node receives.
 */
export function uncopyableMessages(
  props: readonly string[],
  prefix: string,
  valid: Record<string, unknown> = {},
): HostileMessage[] {
  const values = uncopyableValues();
  const out: HostileMessage[] = [];
  for (const prop of new Set([...props, 'payload']))
    values.forEach((value, k) => out.push({ ...valid, _msgid: `${prefix}-${prop}-${k}`, [prop]: value }));
  return out;
}
