/**
 * `recorders-sim <name…|all> [--option value]…`: starts simulators in the foreground, prints where
 * they listen, and stops them cleanly on Ctrl-C.
 */
import { simulators } from './registry';
import type { SimulatorHandle, SimulatorModule } from './types';

export function parseArgs(argv: string[]): { names: string[]; options: Record<string, string> } {
  const names: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2);
      if (inline !== undefined) options[key] = inline;
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options[key] = argv[++i];
      else options[key] = 'true';
    } else names.push(arg);
  }
  return { names, options };
}

export function usage(): string {
  const lines = ['usage: recorders-sim <simulator…|all> [--option value]…', '', 'simulators:'];
  for (const [name, load] of Object.entries(simulators)) {
    const sim = load();
    lines.push(`  ${name}: ${sim.description}`);
    for (const o of sim.options)
      lines.push(`      --${o.name}  ${o.description}${o.default ? ` (default ${o.default})` : ''}`);
  }
  return lines.join('\n');
}

/**
 * Options for one simulator: `--motif-port 7000` always reaches motif; a plain `--port 7000` only
 * when a single simulator is started (otherwise it would be ambiguous).
 */
export function optionsFor(
  name: string,
  options: Record<string, string | undefined>,
  single: boolean,
): Record<string, string | undefined> {
  const own: Record<string, string | undefined> = {};
  const prefix = `${name}-`;
  for (const [key, value] of Object.entries(options)) {
    if (key.startsWith(prefix)) own[key.slice(prefix.length)] = value;
    else if (single && !own[key]) own[key] = value;
  }
  return own;
}

export async function startSimulators(
  names: string[],
  options: Record<string, string | undefined>,
): Promise<SimulatorHandle[]> {
  const wanted = names.includes('all') ? Object.keys(simulators) : names;
  const handles: SimulatorHandle[] = [];
  try {
    for (const name of wanted) {
      const load = simulators[name];
      if (!load)
        throw new Error(`unknown simulator "${name}" (known: ${Object.keys(simulators).join(', ')})`);
      const sim: SimulatorModule = load();
      handles.push(await sim.start(optionsFor(name, options, wanted.length === 1)));
    }
  } catch (err) {
    await Promise.all(handles.map((h) => h.close()));
    throw err;
  }
  return handles;
}

export function main(argv: string[]): void {
  const { names, options } = parseArgs(argv);
  if (names.length === 0 || options.help) {
    console.log(usage());
    process.exitCode = names.length === 0 && !options.help ? 1 : 0;
    return;
  }
  startSimulators(names, options).then(
    (handles) => {
      for (const h of handles) {
        for (const [what, url] of Object.entries(h.endpoints)) console.log(`${h.name} ${what}: ${url}`);
        for (const [what, value] of Object.entries(h.info)) console.log(`${h.name} ${what}: ${value}`);
      }
      const stop = (): void => {
        Promise.all(handles.map((h) => h.close())).finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
