/**
 * The embedded Postgres (PGlite, a devDependency loaded only when an Aivero simulator starts).
 * initdb plus our schema costs 2–10 s depending on the machine; loading a dump of the ready database
 * costs under a second. So the first start builds the database once and keeps its dump in memory for
 * the process and on disk (node_modules/.cache, keyed by PGlite version and schema) for the next
 * process. Any problem with the disk copy falls back to building afresh.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy: PGlite is loaded only by this simulator */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { schemaDdl } from './ddl';

/** What the SQL compiler needs: PGlite itself or an open transaction. */
export interface Sql {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

type PGliteModule = typeof import('@electric-sql/pglite');

function loadPGlite(): { mod: PGliteModule; version: string } {
  try {
    const mod = require('@electric-sql/pglite') as PGliteModule;
    let version = 'unknown';
    try {
      const pkg = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
      version = String((JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version);
    } catch {
      // The cache key then only changes with the schema; a mismatch is caught when loading.
    }
    return { mod, version };
  } catch (err) {
    throw new Error(
      'the Aivero simulator needs @electric-sql/pglite (a devDependency): run npm install in the package ' +
        `(${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

/** The package root (this file is dist/src/simulators/aivero/database.js). */
const packageRoot = resolve(__dirname, '..', '..', '..', '..');

function cacheFile(version: string, ddl: string): string {
  const key = createHash('sha256').update(`${version}\n${ddl}`).digest('hex').slice(0, 16);
  return join(packageRoot, 'node_modules', '.cache', 'recorders-sim', `aivero-pglite-${key}.tar`);
}

function readCached(file: string): Blob | undefined {
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    return undefined;
  }
}

async function writeCached(file: string, dump: Blob): Promise<void> {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
    // Dumps of older schemas or PGlite versions are of no use any more.
    for (const f of readdirSync(dirname(file)))
      if (/^aivero-pglite-[0-9a-f]{16}\.tar$/.test(f) && join(dirname(file), f) !== file)
        rmSync(join(dirname(file), f), { force: true });
  } catch {
    // A read-only install: every process builds its own database.
  }
}

let template: Promise<Blob> | undefined;

export interface OpenedDatabase {
  db: PGlite;
  /** Milliseconds this start took (reported by the CLI and the tests). */
  startMs: number;
  /** How the database was made: from the process's template, from the disk cache, or by initdb. */
  source: 'memory' | 'disk' | 'initdb';
}

const OPTIONS = { relaxedDurability: true };

async function fromDump(mod: PGliteModule, dump: Blob): Promise<PGlite> {
  const db = new mod.PGlite({ ...OPTIONS, loadDataDir: dump });
  await db.waitReady;
  return db;
}

export async function openDatabase(): Promise<OpenedDatabase> {
  const started = Date.now();
  const { mod, version } = loadPGlite();
  const done = (db: PGlite, source: OpenedDatabase['source']): OpenedDatabase => ({
    db,
    startMs: Date.now() - started,
    source,
  });
  if (template) return done(await fromDump(mod, await template), 'memory');

  const ddl = schemaDdl();
  const file = cacheFile(version, ddl);
  const cached = readCached(file);
  if (cached) {
    try {
      const db = await fromDump(mod, cached);
      // The dump must hold our schema; anything else is rebuilt.
      await db.query('SELECT id, "recordedMs" FROM recording_sessions LIMIT 0');
      template ??= Promise.resolve(cached);
      return done(db, 'disk');
    } catch {
      rmSync(file, { force: true });
    }
  }

  // Build the database, keep a dump of it, and use it.
  const db = new mod.PGlite(OPTIONS);
  const built = (async (): Promise<Blob> => {
    await db.waitReady;
    await db.exec(ddl);
    return db.dumpDataDir('none');
  })();
  template = built;
  try {
    await writeCached(file, await built);
  } catch (err) {
    template = undefined;
    // The failure that counts is the one rethrown below, not a failure to close on top of it.
    await db.close().catch(() => undefined);
    throw err;
  }
  return done(db, 'initdb');
}

/** Gives the database the server's clock: `sim_time()` (row defaults, updates) follows it from now on. */
export async function setDatabaseClock(
  db: PGlite,
  clock: { offsetMs: number; driftPpm: number; startedMs: number },
): Promise<void> {
  await db.query('UPDATE "_sim_clock" SET "offsetMs" = $1, "driftPpm" = $2, "startedMs" = $3', [
    clock.offsetMs,
    clock.driftPpm,
    clock.startedMs,
  ]);
}

export type { PGlite, Transaction };
