/**
 * The embedded Postgres (PGlite, a devDependency loaded only when an Aivero simulator starts).
 * initdb plus our schema costs about 2 s; the first start in a process keeps a dump of the fresh
 * database in memory and every later start loads that dump instead (about 0.5 s).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy: PGlite is loaded only by this simulator */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { schemaDdl } from './ddl';

/** What the SQL compiler needs: PGlite itself or an open transaction. */
export interface Sql {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

type PGliteModule = typeof import('@electric-sql/pglite');

function loadPGlite(): PGliteModule {
  try {
    return require('@electric-sql/pglite') as PGliteModule;
  } catch (err) {
    throw new Error(
      'the Aivero simulator needs @electric-sql/pglite (a devDependency): run npm install in the package ' +
        `(${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

let template: Promise<Blob> | undefined;

export interface OpenedDatabase {
  db: PGlite;
  /** Milliseconds this start took (reported by the CLI and the tests). */
  startMs: number;
}

export async function openDatabase(): Promise<OpenedDatabase> {
  const started = Date.now();
  const mod = loadPGlite();
  if (template) {
    const db = new mod.PGlite({ loadDataDir: await template });
    await db.waitReady;
    return { db, startMs: Date.now() - started };
  }
  // First start in this process: build the database, keep a dump of it, and use it.
  const db = new mod.PGlite();
  const built = (async (): Promise<Blob> => {
    await db.waitReady;
    await db.exec(schemaDdl());
    return db.dumpDataDir('none');
  })();
  template = built;
  try {
    await built;
  } catch (err) {
    template = undefined;
    await db.close().catch(() => undefined);
    throw err;
  }
  return { db, startMs: Date.now() - started };
}

export type { PGlite, Transaction };
