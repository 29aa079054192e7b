/** `recorders-sim motif`: the motif simulator in the foreground. */
import { writeFile } from 'node:fs/promises';
import { CLOCK_CLI_OPTIONS, clockCliOptions, clockInfo } from '../clock-options';
import type { SimulatorModule } from '../types';
import { MotifSimulator } from './server';
import type { SimStreamOptions } from './streams';

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
    { name: 'streams', description: 'realtime streams on|off', default: 'on' },
    { name: 'stream-bind', description: 'address the stream sockets bind', default: '127.0.0.1' },
    {
      name: 'stream-advertise',
      description: 'stream host reported in the camera status',
      default: '0.0.0.0',
    },
    {
      name: 'image-port',
      description: 'first image stream port (camera i: +i)',
      default: '0 = any free port',
    },
    {
      name: 'state-port',
      description: 'first state stream port (camera i: +i)',
      default: '0 = any free port',
    },
    { name: 'width', description: 'image width', default: '640' },
    { name: 'height', description: 'image height', default: '480' },
    { name: 'channels', description: 'image channels (1-4)', default: '1' },
    { name: 'dtype', description: 'uint8 or uint16', default: 'uint8' },
    {
      name: 'fps',
      description: 'image frames per second (0 = as fast as the reader takes them)',
      default: '30',
    },
    { name: 'state-rate', description: 'state messages per second', default: '30' },
    ...CLOCK_CLI_OPTIONS,
  ],
  async start(options) {
    const port = options.port === undefined ? 6083 : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`invalid --port "${options.port}"`);
    if (options.key !== undefined && !/^[\x21-\x7e]{1,256}$/.test(options.key))
      throw new Error('invalid --key (printable ASCII without spaces, at most 256 characters)');
    const cameras = options.cameras
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const sim = await MotifSimulator.start({
      port,
      host: options.host,
      apiKey: options.key,
      cameras,
      streams: streamOptions(options),
      ...clockCliOptions(options),
    });
    const info: Record<string, string> = {
      'api key': sim.apiKey,
      'certificate sha-256 fingerprint': sim.fingerprint256,
      ...clockInfo(sim.clock),
    };
    for (const [serial, s] of sim.streams) {
      info[`image stream ${serial}`] = `tcp://${sim.host}:${s.imagePort}`;
      info[`state stream ${serial}`] = `tcp://${sim.host}:${s.statePort}`;
    }
    const certOut = options['cert-out'];
    if (certOut) {
      await writeFile(certOut, sim.certificatePem);
      info.certificate = certOut;
    }
    return { name: 'motif', endpoints: { api: sim.url }, info, close: () => sim.close() };
  },
};

function numberOption(options: Record<string, string | undefined>, name: string): number | undefined {
  const text = options[name];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`invalid --${name} "${text}"`);
  return n;
}

function streamOptions(options: Record<string, string | undefined>): SimStreamOptions {
  const flag = options.streams ?? 'on';
  if (flag !== 'on' && flag !== 'off') throw new Error(`invalid --streams "${flag}" (on or off)`);
  const dtype = options.dtype;
  if (dtype !== undefined && dtype !== 'uint8' && dtype !== 'uint16')
    throw new Error(`invalid --dtype "${dtype}" (uint8 or uint16)`);
  return {
    enabled: flag === 'on',
    bindHost: options['stream-bind'],
    advertiseHost: options['stream-advertise'],
    imagePort: numberOption(options, 'image-port'),
    statePort: numberOption(options, 'state-port'),
    width: numberOption(options, 'width'),
    height: numberOption(options, 'height'),
    channels: numberOption(options, 'channels'),
    dtype,
    fps: numberOption(options, 'fps'),
    statePerSecond: numberOption(options, 'state-rate'),
  };
}
