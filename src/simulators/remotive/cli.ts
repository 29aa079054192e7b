/** `recorders-sim remotive`: the broker simulator in the foreground. */
import { CLOCK_CLI_OPTIONS, clockCliOptions, clockInfo } from '../clock-options';
import type { SimulatorModule } from '../types';
import { defaultRecordings } from './recordings';
import { RemotiveSimulator } from './server';

export const simulator: SimulatorModule = {
  name: 'remotive',
  description: 'RemotiveLabs broker (gRPC): recording-session playback, status stream, signals',
  options: [
    { name: 'port', description: 'gRPC port', default: '50051' },
    { name: 'host', description: 'address to bind', default: '127.0.0.1' },
    { name: 'key', description: 'require this API key (x-api-key); none = no check' },
    { name: 'speed', description: 'playback speed factor', default: '1' },
    { name: 'tick', description: 'signal sampling period, ms', default: '50' },
    { name: 'burst', description: 'signal batches per subscriber and tick (load tests)', default: '1' },
    {
      name: 'timestamps',
      description:
        "signal timestamps: recording (offset in the recording, µs) or wallclock (the broker's clock, epoch µs)",
      default: 'recording',
    },
    ...CLOCK_CLI_OPTIONS,
  ],
  async start(options) {
    const port = options.port === undefined ? 50051 : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`invalid --port "${options.port}"`);
    const speed = options.speed === undefined ? 1 : Number(options.speed);
    if (!(speed > 0)) throw new Error(`invalid --speed "${options.speed}"`);
    const tickMs = options.tick === undefined ? 50 : Number(options.tick);
    if (!(tickMs >= 1)) throw new Error(`invalid --tick "${options.tick}"`);
    const burst = options.burst === undefined ? 1 : Number(options.burst);
    if (!Number.isInteger(burst) || burst < 1) throw new Error(`invalid --burst "${options.burst}"`);
    const timestamps = options.timestamps ?? 'recording';
    if (timestamps !== 'recording' && timestamps !== 'wallclock')
      throw new Error(`invalid --timestamps "${timestamps.slice(0, 40)}" (recording or wallclock)`);
    const clock = clockCliOptions(options);
    const sim = await RemotiveSimulator.start({
      port,
      host: options.host,
      apiKey: options.key,
      speed,
      tickMs,
      burst,
      timestamps,
      ...clock,
    });
    const info: Record<string, string> = {
      recordings: defaultRecordings()
        .map((r) => r.path)
        .join(', '),
    };
    if (options.key) info['api key'] = 'required (the value you passed with --key)';
    Object.assign(info, clockInfo(sim.clock));
    return { name: 'remotive', endpoints: { grpc: sim.url }, info, close: () => sim.close() };
  },
};
