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

const DEFAULTS: Record<string, string> = {
  id: 'gen_random_uuid()',
  // clock_timestamp, not now(): rows inserted in one request still get distinct, ordered times.
  createdAt: "(clock_timestamp() at time zone 'utc')",
  updatedAt: "(now() at time zone 'utc')",
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
  const out: string[] = [];
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
