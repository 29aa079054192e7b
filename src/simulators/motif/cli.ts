/** `recorders-sim motif`: the motif simulator in the foreground. */
import { writeFile } from 'node:fs/promises';
import type { SimulatorModule } from '../types';
import { MotifSimulator } from './server';

export const simulator: SimulatorModule = {
  name: 'motif',
  description: 'loopbio motif REST API over HTTPS (cameras FAKE0 and FAKE1)',
  options: [
    { name: 'port', description: 'HTTPS port', default: '6083' },
    { name: 'host', description: 'address to bind', default: '127.0.0.1' },
    {
      name: 'key',
      description: 'API key clients must send (X-Api-Key)',
      default: 'random 32 hex characters',
    },
    { name: 'cert-out', description: 'write the certificate (PEM) to this file so clients can trust it' },
    { name: 'cameras', description: 'comma-separated camera serials', default: 'FAKE0,FAKE1' },
  ],
  async start(options) {
    const port = options.port === undefined ? 6083 : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`invalid --port "${options.port}"`);
    const cameras = options.cameras
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const sim = await MotifSimulator.start({ port, host: options.host, apiKey: options.key, cameras });
    const info: Record<string, string> = {
      'api key': sim.apiKey,
      'certificate sha-256 fingerprint': sim.fingerprint256,
    };
    const certOut = options['cert-out'];
    if (certOut) {
      await writeFile(certOut, sim.certificatePem);
      info.certificate = certOut;
    }
    return { name: 'motif', endpoints: { api: sim.url }, info, close: () => sim.close() };
  },
};
