/**
 * `recorders-sim <name…|all> [--option value]…`: starts simulators in the foreground, prints where
 * they listen, and stops them cleanly on Ctrl-C. An option no started simulator knows, or one
 * without its value, is an error with the usage text: a mistyped `--api-key` must not start a
 * simulator with a random key that every client then fails against.
 */
import { simulators } from './registry';
import type { SimulatorHandle, SimulatorModule } from './types';

/** A command line the CLI cannot run; `main` prints it with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const OPTION_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * `--name value`, `--name=value`, or a bare `--name` (value "true"; allowed only for on/off
 * options, whose default is true or false — checked by `checkOptions`).
 */
export function parseArgs(argv: string[]): {
  names: string[];
  options: Record<string, string>;
  bare: string[];
} {
  const names: string[] = [];
  const options: Record<string, string> = {};
  const bare: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      options.help = 'true';
      continue;
    }
    if (!arg.startsWith('-')) {
      names.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unknown option "${clip(arg)}" (options start with --)`);
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (!OPTION_NAME.test(key)) throw new UsageError(`malformed option "${clip(arg)}"`);
    if (Object.prototype.hasOwnProperty.call(options, key))
      throw new UsageError(`option --${key} is given twice`);
    if (eq >= 0) options[key] = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options[key] = argv[++i];
    else {
      options[key] = 'true';
      bare.push(key);
    }
  }
  return { names, options, bare };
}

function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 39)}…` : printable;
}

export function usage(): string {
  const lines = [
    'usage: recorders-sim <simulator…|all> [--option value]…',
    '',
    'With several simulators, prefix an option with the simulator name: --motif-port 7000.',
    '',
    'simulators:',
  ];
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

/**
 * Every option must belong to a started simulator: `--<sim>-<option>` always, a plain `--<option>`
 * only when one simulator is started.
 */
export function checkOptions(
  wanted: string[],
  options: Record<string, string | undefined>,
  bare: readonly string[] = [],
): void {
  const known = new Map<string, Set<string>>();
  const flags = new Set<string>();
  for (const name of wanted) {
    const specs = simulators[name]().options;
    known.set(name, new Set(specs.map((o) => o.name)));
    for (const o of specs) {
      if (o.default !== 'true' && o.default !== 'false') continue;
      flags.add(`${name}-${o.name}`);
      if (wanted.length === 1) flags.add(o.name);
    }
  }
  for (const key of bare) {
    if (!flags.has(key)) throw new UsageError(`option --${clip(key)} needs a value`);
  }
  for (const key of Object.keys(options)) {
    if (key === 'help') continue;
    const owner = wanted.find(
      (name) => key.startsWith(`${name}-`) && known.get(name)?.has(key.slice(name.length + 1)),
    );
    if (owner) continue;
    const plainOwners = wanted.filter((name) => known.get(name)?.has(key));
    if (plainOwners.length > 0 && wanted.length === 1) continue;
    if (plainOwners.length > 0)
      throw new UsageError(
        `option --${key} is ambiguous with several simulators: use ${plainOwners.map((n) => `--${n}-${key}`).join(' or ')}`,
      );
    const list = wanted.map(
      (name) => `${name}: ${[...(known.get(name) ?? [])].map((o) => `--${o}`).join(' ')}`,
    );
    throw new UsageError(`unknown option --${clip(key)} (${list.join('; ')})`);
  }
}

export async function startSimulators(
  names: string[],
  options: Record<string, string | undefined>,
  bare: readonly string[] = [],
): Promise<SimulatorHandle[]> {
  const wanted = names.includes('all') ? Object.keys(simulators) : names;
  for (const name of wanted) {
    if (!Object.prototype.hasOwnProperty.call(simulators, name))
      throw new UsageError(
        `unknown simulator "${clip(name)}" (known: ${Object.keys(simulators).join(', ')})`,
      );
  }
  checkOptions(wanted, options, bare);
  const handles: SimulatorHandle[] = [];
  try {
    for (const name of wanted) {
      const sim: SimulatorModule = simulators[name]();
      handles.push(await sim.start(optionsFor(name, options, wanted.length === 1)));
    }
  } catch (err) {
    await Promise.all(handles.map((h) => h.close()));
    // Every simulator's value check says `invalid --<option> …`: a command-line mistake too.
    if (err instanceof Error && !(err instanceof UsageError) && /^invalid --[a-z]/.test(err.message))
      throw new UsageError(err.message);
    throw err;
  }
  return handles;
}

/** Prints an error and the usage text; exit code 2 as usual for a bad command line. */
function usageFailure(message: string): void {
  console.error(`recorders-sim: ${message}\n`);
  console.error(usage());
  process.exitCode = 2;
}

export function main(argv: string[]): void {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    usageFailure((err as Error).message);
    return;
  }
  const { names, options, bare } = parsed;
  if (options.help) {
    console.log(usage());
    return;
  }
  if (names.length === 0) {
    usageFailure('name at least one simulator, or all');
    return;
  }
  startSimulators(names, options, bare).then(
    (handles) => {
      for (const h of handles) {
        for (const [what, url] of Object.entries(h.endpoints)) console.log(`${h.name} ${what}: ${url}`);
        for (const [what, value] of Object.entries(h.info)) console.log(`${h.name} ${what}: ${value}`);
      }
      const stop = (): void => {
        Promise.all(handles.map((h) => h.close())).then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(`closing failed: ${err instanceof Error ? err.message : String(err)}`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      if (err instanceof UsageError) usageFailure(err.message);
      else {
        console.error(err instanceof Error ? err.message : String(err));
        process.exitCode = 1;
      }
    },
  );
}
