/** The common skeleton: field reader, call/stream brackets, redaction, layered status, hostile text. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ConnectionManager, type Transport, type WatchedStream } from '../../src/common/connection';
import {
  ApiError,
  AuthError,
  ConfigError,
  ConnectionError,
  InputError,
  RecorderError,
} from '../../src/common/errors';
import { editorDefaults, field, readConfig, resolveInput } from '../../src/common/fields';
import { composeStatus, NodeStatus } from '../../src/common/node-status';
import type { NodeStatusShape } from '../../src/common/status';
import { capText, redact } from '../../src/common/text';

const t = (key: string, subs?: Record<string, string | number>): string =>
  subs ? `${key} ${Object.values(subs).join(' ')}` : key;

const FIELDS = {
  server: field.node({ label: 'server', nodeType: 'motif-server' }),
  operation: field.text({ label: 'operation', msg: 'operation', choices: ['version', 'recording/start'] }),
  camera: field.text({ label: 'camera', msg: 'camera' }),
  timeout: field.number({ label: 'timeout', default: 10, min: 1, max: 3600 }),
  offset: field.number({ label: 'offset', default: undefined, msg: 'offset', min: 0 }),
  wait: field.flag({ label: 'wait', default: false }),
  args: field.json({ label: 'arguments' }),
};

function expectThrow(fn: () => unknown, type: typeof RecorderError, text: RegExp, where?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    assert.match(err.message, text);
    if (where !== undefined) assert.equal((err as InputError).where, where);
    return true;
  });
}

describe('field reader', () => {
  it('gives missing fields their defaults (flows saved before a field existed keep working)', () => {
    const v = readConfig(FIELDS, { server: 's1' }, 'motif-action');
    assert.deepEqual(v, {
      server: 's1',
      operation: '',
      camera: '',
      timeout: 10,
      offset: undefined,
      wait: false,
      args: undefined,
    });
  });

  it('names the wrong field instead of coercing it silently', () => {
    expectThrow(
      () => readConfig(FIELDS, { server: 's', timeout: 'abc' }, 'x'),
      ConfigError,
      /timeout must be a number/,
      'timeout',
    );
    expectThrow(
      () => readConfig(FIELDS, { server: 's', timeout: 99999 }, 'x'),
      ConfigError,
      /at most 3600/,
      'timeout',
    );
    expectThrow(
      () => readConfig(FIELDS, { server: 's', args: '{' }, 'x'),
      ConfigError,
      /not valid JSON/,
      'args',
    );
    expectThrow(
      () => readConfig(FIELDS, { server: 's', operation: 'nope' }, 'x'),
      ConfigError,
      /must be one of/,
      'operation',
    );
    expectThrow(() => readConfig(FIELDS, { server: '' }, 'x'), ConfigError, /server is required/, 'server');
  });

  it('reads legacy property names', () => {
    const table = { port: field.number({ label: 'port', default: 6083, legacy: ['apiPort'] }) };
    assert.equal(readConfig(table, { apiPort: '7000' }, 'x').port, 7000);
  });

  it('a configured value wins over msg; an empty field takes msg', () => {
    const configured = readConfig(FIELDS, { server: 's', operation: 'version', camera: 'FAKE0' }, 'x');
    const v = resolveInput(FIELDS, configured, { operation: 'recording/start', camera: 'EVIL' });
    assert.equal(v.operation, 'version');
    assert.equal(v.camera, 'FAKE0');
    const open = readConfig(FIELDS, { server: 's' }, 'x');
    const w = resolveInput(FIELDS, open, { operation: 'recording/start', camera: 'FAKE1', offset: '12.5' });
    assert.equal(w.operation, 'recording/start');
    assert.equal(w.camera, 'FAKE1');
    assert.equal(w.offset, 12.5);
    assert.equal(open.camera, '', 'the configured values are not changed');
  });

  it('checks msg values by the same rules and names msg.<prop>', () => {
    const open = readConfig(FIELDS, { server: 's' }, 'x');
    expectThrow(
      () => resolveInput(FIELDS, open, { operation: 'schedule/clear' }),
      InputError,
      /must be one of/,
      'msg.operation',
    );
    expectThrow(
      () => resolveInput(FIELDS, open, { camera: { a: 1 } }),
      InputError,
      /must be text/,
      'msg.camera',
    );
    expectThrow(
      () => resolveInput(FIELDS, open, { camera: 'x'.repeat(1_000_000) }),
      InputError,
      /longer than 1000/,
      'msg.camera',
    );
    expectThrow(() => resolveInput(FIELDS, open, { offset: NaN }), InputError, /finite/, 'msg.offset');
    expectThrow(() => resolveInput(FIELDS, open, { offset: -1 }), InputError, /at least 0/, 'msg.offset');
  });

  it('hands the editor the runtime defaults', () => {
    const d = editorDefaults(FIELDS);
    assert.deepEqual(d.server, { value: '', type: 'motif-server', required: true });
    assert.deepEqual(d.timeout, { value: 10 });
    assert.deepEqual(d.wait, { value: false });
    assert.deepEqual(d.offset, { value: '' });
  });
});

describe('hostile text', () => {
  it('caps and escapes error messages (no log forging, no megabyte errors)', () => {
    const err = new InputError(`bad ${'x'.repeat(1_000_000)}`);
    assert.ok(err.message.length < 500, `message of ${err.message.length} characters`);
    const forged = new RecorderError('API', 'line one\n[error] forged line\u001b[31m');
    assert.equal(forged.message.includes('\n'), false);
    assert.equal(forged.message.includes('\u001b'), false);
    assert.match(forged.message, /\\n\[error\] forged line\\x1b/);
    assert.equal(capText('short'), 'short');
  });

  it('redacts every configured secret, longest first', () => {
    assert.equal(
      redact("invalid API key 'k3y-secret' (k3y-secret)", ['k3y-secret']),
      "invalid API key '***' (***)",
    );
    assert.equal(redact('a', ['a']), 'a', 'too-short secrets are not searched for');
  });

  it('gives API errors a status in words, not a code', () => {
    assert.equal(new ApiError(409, 'already recording').statusText, 'already recording');
    assert.equal(new ApiError(500, '').statusText, 'error 500');
    assert.equal(new ApiError(5, 'x', undefined, 'no such recording').statusText, 'no such recording');
  });
});

interface Client {
  closed: boolean;
}

function transport(
  extra: Partial<Transport<Client>> = {},
  probe: () => Promise<Record<string, unknown> | void> = async () => ({}),
): Transport<Client> {
  return {
    create: () => ({ closed: false }),
    probe: () => probe(),
    destroy: async (c) => {
      c.closed = true;
    },
    ...extra,
  };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('connection brackets', () => {
  it('run: records success and connection failures, passes API errors through, redacts secrets', async () => {
    const m = new ConnectionManager(transport({ secrets: ['sekrit-key'] }));
    m.acquire('n1');
    await until(() => m.state === 'connected', 'connected');
    assert.equal(await m.run(async () => 42), 42);
    await assert.rejects(
      m.run(async () => {
        throw new ApiError(409, "busy, key 'sekrit-key'");
      }),
      (err: ApiError) => !err.message.includes('sekrit-key') && !err.serverMessage.includes('sekrit-key'),
    );
    assert.equal(m.state, 'connected', 'an API error says nothing about the connection');
    await assert.rejects(
      m.run(async () => {
        throw new ConnectionError('refused sekrit-key');
      }),
      (err: RecorderError) => err.code === 'CONNECTION' && !err.message.includes('sekrit-key'),
    );
    assert.equal(m.state, 'backoff');
    assert.equal(m.snapshot.error?.message.includes('sekrit-key'), false);
    await m.close();
  });

  it('a config error fails at once: no client, no probe, every call gets it', async () => {
    let created = 0;
    let probes = 0;
    const m = new ConnectionManager(
      transport(
        {
          create: () => {
            created++;
            return { closed: false };
          },
          configError: new ConfigError('motif-server: port must be at most 65535', 'port'),
        },
        async () => {
          probes++;
        },
      ),
    );
    m.acquire('n1');
    assert.equal(m.state, 'failed');
    await assert.rejects(
      m.run(async () => 1),
      /port must be at most 65535/,
    );
    assert.equal(created, 0);
    assert.equal(probes, 0);
    await m.close();
  });

  it('watch: healthy/failure move the state; an auth failure halts the stream', async () => {
    const m = new ConnectionManager(transport());
    m.acquire('n1');
    await until(() => m.state === 'connected', 'connected');
    const halted: RecorderError[] = [];
    const stream = Object.assign(new EventEmitter(), {
      halt: (e: RecorderError) => halted.push(e),
    }) as unknown as WatchedStream & EventEmitter;
    const stop = m.watch(stream);
    stream.emit('failure', new ConnectionError('lost'));
    assert.equal(m.state, 'backoff');
    assert.equal(halted.length, 0, 'a lost connection is retried');
    stream.emit('healthy');
    assert.equal(m.state, 'connected');
    stream.emit('failure', new AuthError('401'));
    assert.equal(m.state, 'failed');
    assert.equal(halted.length, 1);
    stop();
    assert.equal(stream.listenerCount('failure'), 0);
    await m.close();
  });

  it('probe info.warning becomes the standing warning next to the configured one', async () => {
    const m = new ConnectionManager(
      transport({ warning: 'TLS not verified' }, async () => ({ warning: 'licence EXPIRED' })),
    );
    m.acquire('n1');
    await until(() => m.state === 'connected', 'connected');
    assert.equal(m.snapshot.warning, 'TLS not verified, licence EXPIRED');
    await m.close();
  });

  it('closeAfterUsers waits for the last user, and no longer than the bound', async () => {
    const m = new ConnectionManager(transport());
    m.acquire('a');
    const closing = m.closeAfterUsers(10_000);
    await new Promise((r) => setImmediate(r));
    assert.notEqual(m.state, 'closed');
    await m.release('a', false);
    await closing;
    assert.equal(m.state, 'closed');
    const n = new ConnectionManager(transport());
    n.acquire('stays');
    const started = Date.now();
    await n.closeAfterUsers(50);
    assert.equal(n.state, 'closed');
    assert.ok(Date.now() - started < 5000);
  });
});

describe('layered status', () => {
  const connected = { state: 'connected' as const, attempt: 0 };

  it('shows the connection while it is down, the same for every node whatever their activity', () => {
    const down = {
      state: 'backoff' as const,
      attempt: 1,
      error: new ConnectionError('x'),
      nextRetryAt: 5000,
    };
    const a = composeStatus(down, { fill: 'yellow', shape: 'dot', text: 'Camera status' }, t, 0);
    const b = composeStatus(down, undefined, t, 0);
    assert.deepEqual(a, b);
    assert.equal(a.fill, 'red');
  });

  it('keeps the standing warning beside activity', () => {
    const warned = { ...connected, warning: 'TLS not verified' };
    const s = composeStatus(warned, { fill: 'green', shape: 'ring', text: 'recording' }, t);
    assert.equal(s.text, 'recording · TLS not verified');
    assert.equal(s.fill, 'yellow');
    const e = composeStatus(warned, { fill: 'red', shape: 'dot', text: 'already recording' }, t);
    assert.equal(e.fill, 'red');
    assert.match(e.text ?? '', /TLS not verified/);
  });

  it('fail(): API errors show their words; connection errors are left to the connection', () => {
    const shown: NodeStatusShape[] = [];
    const s = new NodeStatus({ show: (x) => shown.push(x) }, t);
    s.connection(connected);
    s.fail(new ApiError(409, 'already recording'));
    assert.equal(shown.at(-1)?.text, 'already recording');
    s.fail(new RecorderError('TIMEOUT', 'slow'));
    assert.equal(shown.at(-1)?.text, 'recorders.status.connected');
  });
});
