/** `recorders-sim aivero`: the Aivero (Hasura GraphQL) simulator in the foreground. */
import { X509Certificate } from 'node:crypto';
import { CLOCK_CLI_OPTIONS, clockCliOptions, clockInfo } from '../clock-options';
import type { SimulatorModule } from '../types';
import { AiveroSimulator, type WebSocketMode } from './index';

function numberOption(options: Record<string, string | undefined>, name: string): number | undefined {
  const text = options[name];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`invalid --${name} "${text}"`);
  return n;
}

function flag(options: Record<string, string | undefined>, name: string): boolean {
  const v = options[name];
  if (v === undefined || v === 'false') return false;
  if (v === 'true' || v === '') return true;
  throw new Error(`invalid --${name} "${v}" (true or false)`);
}

export const simulator: SimulatorModule = {
  name: 'aivero',
  description: 'Aivero recording sessions: Hasura GraphQL over HTTPS on an embedded Postgres',
  options: [
    { name: 'port', description: 'HTTPS port', default: '8443' },
    { name: 'host', description: 'address to bind', default: '127.0.0.1' },
    {
      name: 'admin-secret',
      description: 'x-hasura-admin-secret clients must send',
      default: 'random 32 hex characters',
    },
    { name: 'jwt-secret', description: 'HS256 key; enables JWT mode (Authorization: Bearer)' },
    {
      name: 'lenient-ints',
      description: 'accept numeric strings for Int, as the vendor scripts send',
      default: 'false',
    },
    { name: 'refetch-ms', description: 'live-query refetch interval, ms', default: '1000' },
    { name: 'arming-ms', description: 'Standby arming latency before recording begins, ms', default: '500' },
    { name: 'cert-out', description: 'write the certificate (PEM) to this file so clients can trust it' },
    {
      name: 'websocket',
      description: 'WebSocket protocols: both, legacy (Hasura < 2.1), transport or off',
      default: 'both',
    },
    { name: 'basic-auth', description: 'user:password a basic-auth proxy in front requires' },
    { name: 'tls', description: 'HTTPS (true) or plain HTTP (false)', default: 'true' },
    ...CLOCK_CLI_OPTIONS,
  ],
  async start(options) {
    const port = options.port === undefined ? 8443 : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`invalid --port "${options.port}"`);
    const refetchMs = numberOption(options, 'refetch-ms');
    if (refetchMs !== undefined && refetchMs < 1)
      throw new Error(`invalid --refetch-ms "${options['refetch-ms']}"`);
    const websocket = options.websocket ?? 'both';
    if (!['both', 'legacy', 'transport', 'off'].includes(websocket))
      throw new Error(`invalid --websocket "${websocket}" (both, legacy, transport or off)`);
    const basic = options['basic-auth'];
    const colon = basic?.indexOf(':') ?? -1;
    if (basic !== undefined && colon < 1) throw new Error('invalid --basic-auth (user:password)');
    const clock = clockCliOptions(options);
    const sim = await AiveroSimulator.start({
      basicAuth: basic ? { username: basic.slice(0, colon), password: basic.slice(colon + 1) } : undefined,
      websocket: websocket as WebSocketMode,
      port,
      host: options.host,
      adminSecret: options['admin-secret'],
      jwtSecret: options['jwt-secret'],
      lenientInts: flag(options, 'lenient-ints'),
      refetchMs,
      armingLatencyMs: numberOption(options, 'arming-ms'),
      certOut: options['cert-out'],
      tls: options.tls === undefined ? true : !['false', 'off', 'no'].includes(options.tls),
      ...clock,
    });
    const info: Record<string, string> = {
      'admin secret': sim.adminSecret,
      ints: flag(options, 'lenient-ints') ? 'lenient (numeric strings accepted)' : 'strict (as Hasura)',
      'database start': `${sim.databaseStartMs} ms (${sim.databaseSource})`,
    };
    if (options['jwt-secret']) info.jwt = 'HS256 (the key you passed with --jwt-secret)';
    Object.assign(info, clockInfo(sim.clock));
    if (sim.ca) {
      info['certificate sha-256 fingerprint'] = new X509Certificate(sim.ca).fingerprint256;
      // The PEM to paste into a client's CA field (it is the public certificate, no secret).
      info['ca certificate'] = options['cert-out'] ?? `\n${sim.ca.trim()}`;
    }
    return {
      name: 'aivero',
      endpoints: {
        graphql: sim.url,
        websocket: sim.wsUrl,
        health: sim.url.replace(/\/v1\/graphql$/, '/healthz'),
      },
      info,
      close: () => sim.close(),
    };
  },
};
