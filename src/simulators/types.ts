/**
 * The contract every simulator implements, so one CLI (`recorders-sim`), `npm start` and the tests
 * start them the same way. Simulators bind loopback unless told otherwise.
 */
export interface SimulatorOption {
  name: string;
  description: string;
  default?: string;
}

export interface SimulatorHandle {
  name: string;
  /** Where clients connect, e.g. `{ api: 'https://127.0.0.1:6083' }`. */
  endpoints: Record<string, string>;
  /** Extra facts to print (API key, certificate path, fingerprint). Never printed for secrets the user did not choose. */
  info: Record<string, string>;
  close(): Promise<void>;
}

export interface SimulatorModule {
  name: string;
  description: string;
  options: SimulatorOption[];
  start(options: Record<string, string | undefined>): Promise<SimulatorHandle>;
}
