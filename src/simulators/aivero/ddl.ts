/**
 * The Postgres schema: enum tables with foreign keys (as Hasura enum tables are), uuid keys from
 * gen_random_uuid(), `timestamp without time zone` dates, and foreign keys without cascade
 * (Hasura's console default, RESTRICT) so a wrong id or an early delete fails as on a real server.
 */
import { ENUMS, SEED_CAMERAS, TABLES, type Column, type Table } from './model';

const q = (name: string): string => `"${name}"`;

function sqlType(c: Column): string {
  if (typeof c.type === 'object') return 'text';
  return { uuid: 'uuid', String: 'text', Int: 'integer', timestamp: 'timestamp' }[c.type];
}

/**
 * The server's clock in SQL (see ../clock.ts): `sim_time(t)` is the real instant `t` as the
 * simulated machine's clock reads it, a UTC `timestamp`. The one row of `_sim_clock` holds the
 * clock's offset and drift (0 and 0 unless the simulator was given others: then it is `t` in UTC).
 */
export const CLOCK_DDL = `CREATE TABLE "_sim_clock" (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  "offsetMs" double precision NOT NULL DEFAULT 0,
  "driftPpm" double precision NOT NULL DEFAULT 0,
  "startedMs" double precision NOT NULL DEFAULT 0
);
INSERT INTO "_sim_clock" DEFAULT VALUES;
CREATE FUNCTION sim_time(t timestamptz) RETURNS timestamp LANGUAGE sql STABLE AS $$
  SELECT (t AT TIME ZONE 'utc') + make_interval(secs => (c."offsetMs" +
         c."driftPpm" * 1e-6 * (extract(epoch FROM t)::float8 * 1000 - c."startedMs")) / 1000)
    FROM "_sim_clock" c
$$;`;

const DEFAULTS: Record<string, string> = {
  id: 'gen_random_uuid()',
  // clock_timestamp, not now(): rows inserted in one request still get distinct, ordered times.
  createdAt: 'sim_time(clock_timestamp())',
  updatedAt: 'sim_time(now())',
  totalSize: '0',
  estimatedSize: '0',
  maxTimeSeconds: '0',
  maxSizeMegabytes: '0',
  mode: "'Storage'",
  state: "'Stopped'",
};

function columnDdl(t: Table, c: Column): string {
  let s = `${q(c.name)} ${sqlType(c)}`;
  if (!c.nullable) s += ' NOT NULL';
  if (c.hasDefault) s += ` DEFAULT ${DEFAULTS[c.name]}`;
  if (c.name === 'id') s += ' PRIMARY KEY';
  if (typeof c.type === 'object') {
    const e = ENUMS.find((x) => x.name === (c.type as { enum: string }).enum);
    s += ` REFERENCES ${q(e!.sqlTable)}(value)`;
  }
  for (const r of t.relationships) {
    if (r.kind === 'object' && r.from === c.name) {
      const target = TABLES.find((x) => x.key === r.target)!;
      s += ` REFERENCES ${q(target.sqlTable)}(${q(r.to)})`;
    }
  }
  return s;
}

export function schemaDdl(): string {
  const out: string[] = [CLOCK_DDL];
  for (const e of ENUMS) {
    out.push(`CREATE TABLE ${q(e.sqlTable)} (value text PRIMARY KEY, comment text);`);
    for (const v of e.values)
      out.push(`INSERT INTO ${q(e.sqlTable)} VALUES ('${v.value}', '${v.comment.replace(/'/g, "''")}');`);
  }
  for (const t of TABLES) {
    const cols = t.columns.map((c) => '  ' + columnDdl(t, c));
    // Hidden insertion order: what Postgres' heap order gives a fresh table, kept stable for tests.
    cols.push('  "_seq" bigint GENERATED ALWAYS AS IDENTITY');
    if (t.key === 'cameras') cols.push('  UNIQUE (model, serial)');
    if (t.key === 'recordingSessions') {
      cols.push('  CHECK ("maxTimeSeconds" >= 0)', '  CHECK ("maxSizeMegabytes" >= 0)');
      // Hidden from GraphQL: when the device armed / started the session, and bytes recorded.
      cols.push(
        '  "armedAt" timestamp',
        '  "recordingSince" timestamp',
        '  "recordedMs" double precision NOT NULL DEFAULT 0',
      );
    }
    if (t.key === 'storage') cols.push('  "recordedBytes" double precision NOT NULL DEFAULT 0');
    out.push(`CREATE TABLE ${q(t.sqlTable)} (\n${cols.join(',\n')}\n);`);
  }
  for (const c of SEED_CAMERAS)
    out.push(`INSERT INTO cameras (model, serial, name) VALUES ('${c.model}', '${c.serial}', '${c.name}');`);
  return out.join('\n');
}
