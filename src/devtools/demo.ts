/**
 * The simulated systems behind the lab control dashboard. The dashboard gets its own motif server
 * (cameras LAB0 and LAB1) and its own RemotiveLabs broker, apart from the ones the example tabs use:
 * an example that records "all cameras" or opens the city loop never leaves a dashboard button
 * failing with "already recording", and the other way round. `npm start` uses fixed ports (printed);
 * the tests pass 0.
 */
import { MotifSimulator } from '../simulators/motif';
import { RemotiveSimulator } from '../simulators/remotive';
import type { SimulatorHandle } from '../simulators/types';

/** Where `npm start` serves the dashboard's systems (the examples' config nodes point here). */
export const DASHBOARD_PORTS = { motif: 6084, remotive: 50052 };
/** The dashboard's cameras (the motif simulator's `cameras` option). */
export const DASHBOARD_CAMERAS = ['LAB0', 'LAB1'];

export interface DashboardSystems {
  motif: MotifSimulator;
  remotive: RemotiveSimulator;
  /** Shaped like the CLI's handles, so `simulatorTargets` fills the config nodes. */
  handles: SimulatorHandle[];
}

export async function startDashboardSystems(ports = DASHBOARD_PORTS): Promise<DashboardSystems> {
  const motif = await MotifSimulator.start({
    port: ports.motif,
    cameras: DASHBOARD_CAMERAS,
    outputs: ['led'],
  });
  let remotive: RemotiveSimulator;
  try {
    remotive = await RemotiveSimulator.start({ port: ports.remotive });
  } catch (err) {
    await motif.close();
    throw err;
  }
  const motifInfo: Record<string, string> = {
    'api key': motif.apiKey,
    'certificate sha-256 fingerprint': motif.fingerprint256,
    cameras: DASHBOARD_CAMERAS.join(', '),
  };
  const handles: SimulatorHandle[] = [
    { name: 'motif', endpoints: { api: motif.url }, info: motifInfo, close: () => motif.close() },
    { name: 'remotive', endpoints: { grpc: remotive.url }, info: {}, close: () => remotive.close() },
  ];
  return { motif, remotive, handles };
}
