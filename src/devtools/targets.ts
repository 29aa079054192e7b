/** How each simulator's config node is filled in for `npm start` and the example tests. */
import fs from 'node:fs';
import type { SimulatorHandle } from '../simulators/types';
import type { ConfigTarget } from './flows';

export function simulatorTargets(handles: SimulatorHandle[]): ConfigTarget[] {
  const targets: ConfigTarget[] = [];
  for (const h of handles) {
    if (h.name === 'motif') {
      const url = new URL(h.endpoints.api);
      targets.push({
        type: 'motif-server',
        props: {
          host: url.hostname,
          port: Number(url.port),
          tlsMode: 'fingerprint',
          fingerprint: h.info['certificate sha-256 fingerprint'],
          timeout: 10,
        },
        credentials: { apiKey: h.info['api key'] },
      });
    }
    if (h.name === 'aivero') {
      // The simulator's certificate (its PEM, or the file it was written to): TLS is verified against
      // it, as against a real installation's private CA. Without one the examples still run, with
      // the standing "not verified" warning.
      const ref = (h.info['ca certificate'] ?? h.info.certificate ?? '').trim();
      const ca = ref.includes('BEGIN CERTIFICATE')
        ? ref
        : ref && fs.existsSync(ref)
          ? fs.readFileSync(ref, 'utf8')
          : '';
      targets.push({
        type: 'aivero-server',
        props: {
          endpoint: h.endpoints.graphql,
          auth: 'admin',
          role: '',
          headers: '',
          tlsMode: ca ? 'ca' : 'insecure',
          ca,
          timeout: 10,
        },
        credentials: { adminSecret: h.info['admin secret'] },
      });
    }
    if (h.name === 'remotive') {
      targets.push({
        type: 'remotive-broker',
        props: { url: h.endpoints.grpc, ca: '', timeout: 10 },
        credentials: {},
      });
    }
    if (h.name === 'mqtt') {
      const url = new URL(h.endpoints.mqtt);
      targets.push({
        type: 'mqtt-broker',
        props: {
          broker: url.hostname,
          port: url.port,
          clientid: '',
          autoConnect: true,
          usetls: false,
          protocolVersion: '4',
          keepalive: '60',
          cleansession: true,
          autoUnsubscribe: true,
        },
        credentials: {},
      });
    }
  }
  return targets;
}
