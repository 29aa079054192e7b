/**
 * The simulated systems behind the lab control dashboard. The dashboard gets its own motif server
 * (cameras LAB0 and LAB1) and its own RemotiveLabs broker, apart from the ones the example tabs use:
 * an example that records "all cameras" or opens the city loop never leaves a dashboard button
 * failing with "already recording", and the other way round. `npm start` uses fixed ports (printed);
 * the tests pass 0.
 */
import { AiveroSimulator } from '../simulators/aivero';
import { MotifSimulator } from '../simulators/motif';
import { RemotiveSimulator } from '../simulators/remotive';
import type { SimulatorHandle } from '../simulators/types';

/** Where `npm start` serves the dashboard's systems (the examples' config nodes point here). */
export const DASHBOARD_PORTS = { motif: 6084, remotive: 50052, aivero: 8444 };
/** The dashboard's cameras (the motif simulator's `cameras` option). */
export const DASHBOARD_CAMERAS = ['LAB0', 'LAB1'];

export interface DashboardSystems {
  motif: MotifSimulator;
  remotive: RemotiveSimulator;
  aivero: AiveroSimulator;
  /** Shaped like the CLI's handles, so `simulatorTargets` fills the config nodes. */
  handles: SimulatorHandle[];
}

/**
 * `aiveroCertOut`: where the Aivero simulator writes its certificate, so the dashboard's
 * aivero-server verifies TLS against it (as against a real installation's private CA).
 */
export async function startDashboardSystems(
  aiveroCertOut: string,
  ports = DASHBOARD_PORTS,
): Promise<DashboardSystems> {
  const motif = await MotifSimulator.start({
    port: ports.motif,
    cameras: DASHBOARD_CAMERAS,
    outputs: ['led'],
    // The page shows the state at 2 a second; 5 is plenty and keeps the simulator light.
    streams: { statePerSecond: 5 },
  });
  let remotive: RemotiveSimulator | undefined;
  let aivero: AiveroSimulator;
  try {
    remotive = await RemotiveSimulator.start({ port: ports.remotive });
    aivero = await AiveroSimulator.start({ port: ports.aivero, certOut: aiveroCertOut });
  } catch (err) {
    await Promise.all([motif.close(), remotive?.close()]);
    throw err;
  }
  const broker = remotive;
  const motifInfo: Record<string, string> = {
    'api key': motif.apiKey,
    'certificate sha-256 fingerprint': motif.fingerprint256,
    cameras: DASHBOARD_CAMERAS.join(', '),
  };
  const handles: SimulatorHandle[] = [
    { name: 'motif', endpoints: { api: motif.url }, info: motifInfo, close: () => motif.close() },
    { name: 'remotive', endpoints: { grpc: remotive.url }, info: {}, close: () => broker.close() },
    {
      name: 'aivero',
      endpoints: { graphql: aivero.url },
      info: { 'admin secret': aivero.adminSecret, certificate: aiveroCertOut },
      close: () => aivero.close(),
    },
  ];
  return { motif, remotive: broker, aivero, handles };
}
