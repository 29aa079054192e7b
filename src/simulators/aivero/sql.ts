/**
 * Hasura's query language compiled to parameterised SQL: `where` (bool_exp), `order_by`, `limit`,
 * `offset`, inserts (with nested object and array relationship inserts), updates and deletes.
 * Rows come back as `to_json(row)`, so Postgres formats timestamps exactly as Hasura returns them
 * (ISO without offset, e.g. `0001-01-01T00:00:00`). Every value travels as a parameter.
 */
import type { Sql } from './database';
import { HasuraError } from './errors';
import { tableByKey, type Column, type Table } from './model';

export type Row = Record<string, unknown>;
type Obj = Record<string, unknown>;

const q = (name: string): string => `"${name}"`;

class Params {
  readonly values: unknown[] = [];
  add(v: unknown, cast: string): string {
    this.values.push(v);
    return `$${this.values.length}::${cast}`;
  }
}

function castOf(c: Column): string {
  if (typeof c.type === 'object') return 'text';
  return { uuid: 'uuid', String: 'text', Int: 'integer', timestamp: 'timestamp' }[c.type];
}

let aliasCounter = 0;
function alias(): string {
  aliasCounter = (aliasCounter + 1) % 1_000_000;
  return `_t${aliasCounter}`;
}

function column(t: Table, name: string): Column | undefined {
  return t.columns.find((c) => c.name === name);
}

function comparison(col: string, c: Column, exp: Obj, p: Params): string[] {
  const cast = castOf(c);
  const parts: string[] = [];
  for (const [op, v] of Object.entries(exp)) {
    if (v === undefined) continue;
    if (v === null && op !== '_is_null')
      throw new HasuraError('validation-failed', `unexpected null value for type "${cast}"`);
    switch (op) {
      case '_eq':
        parts.push(`${col} = ${p.add(v, cast)}`);
        break;
      case '_neq':
        parts.push(`${col} <> ${p.add(v, cast)}`);
        break;
      case '_gt':
        parts.push(`${col} > ${p.add(v, cast)}`);
        break;
      case '_lt':
        parts.push(`${col} < ${p.add(v, cast)}`);
        break;
      case '_gte':
        parts.push(`${col} >= ${p.add(v, cast)}`);
        break;
      case '_lte':
        parts.push(`${col} <= ${p.add(v, cast)}`);
        break;
      case '_in':
        parts.push(`${col} = ANY(${p.add(v, cast + '[]')})`);
        break;
      case '_nin':
        parts.push(`NOT (${col} = ANY(${p.add(v, cast + '[]')}))`);
        break;
      case '_like':
        parts.push(`${col} LIKE ${p.add(v, 'text')}`);
        break;
      case '_ilike':
        parts.push(`${col} ILIKE ${p.add(v, 'text')}`);
        break;
      case '_is_null':
        parts.push(v ? `${col} IS NULL` : `${col} IS NOT NULL`);
        break;
      default:
        throw new HasuraError('validation-failed', `unknown operator ${op}`);
    }
  }
  return parts;
}

/** A bool_exp on `t` (aliased `a`) as one SQL condition. */
export function whereSql(t: Table, a: string, exp: Obj | null | undefined, p: Params): string {
  if (!exp) return 'true';
  const parts: string[] = [];
  for (const [key, v] of Object.entries(exp)) {
    if (v === undefined) continue;
    if (v === null) throw new HasuraError('validation-failed', `unexpected null value for "${key}"`);
    if (key === '_and') {
      const list = (v as Obj[]).map((e) => whereSql(t, a, e, p));
      parts.push(list.length ? `(${list.join(' AND ')})` : 'true');
    } else if (key === '_or') {
      const list = (v as Obj[]).map((e) => whereSql(t, a, e, p));
      parts.push(list.length ? `(${list.join(' OR ')})` : 'false');
    } else if (key === '_not') {
      parts.push(`NOT (${whereSql(t, a, v as Obj, p)})`);
    } else {
      const c = column(t, key);
      if (c) {
        parts.push(...comparison(`${a}.${q(key)}`, c, v as Obj, p));
        continue;
      }
      const r = t.relationships.find((x) => x.name === key);
      if (!r) throw new HasuraError('validation-failed', `field '${key}' not found`);
      const target = tableByKey(r.target);
      const b = alias();
      parts.push(
        `EXISTS (SELECT 1 FROM ${q(target.sqlTable)} ${b} WHERE ${b}.${q(r.to)} = ${a}.${q(r.from)} AND ${whereSql(target, b, v as Obj, p)})`,
      );
    }
  }
  return parts.length ? parts.join(' AND ') : 'true';
}

const DIRECTIONS: Record<string, string> = {
  asc: 'ASC NULLS LAST',
  asc_nulls_first: 'ASC NULLS FIRST',
  asc_nulls_last: 'ASC NULLS LAST',
  desc: 'DESC NULLS FIRST',
  desc_nulls_first: 'DESC NULLS FIRST',
  desc_nulls_last: 'DESC NULLS LAST',
};

function orderTerms(t: Table, a: string, ob: Obj, out: string[]): void {
  for (const [key, v] of Object.entries(ob)) {
    if (v === undefined || v === null) continue;
    if (column(t, key)) {
      out.push(`${a}.${q(key)} ${DIRECTIONS[v as string]}`);
      continue;
    }
    const r = t.relationships.find((x) => x.name === key && x.kind === 'object');
    if (!r) continue;
    const target = tableByKey(r.target);
    for (const [k2, d] of Object.entries(v as Obj)) {
      if (!column(target, k2) || d === null || d === undefined) continue;
      const b = alias();
      out.push(
        `(SELECT ${b}.${q(k2)} FROM ${q(target.sqlTable)} ${b} WHERE ${b}.${q(r.to)} = ${a}.${q(r.from)}) ${DIRECTIONS[d as string]}`,
      );
    }
  }
}

export interface SelectArgs {
  where?: Obj | null;
  order_by?: Obj | Obj[] | null;
  limit?: number | null;
  offset?: number | null;
}

function tail(t: Table, a: string, args: SelectArgs, p: Params): string {
  let s = '';
  const terms: string[] = [];
  const ob = args.order_by;
  if (ob) for (const o of Array.isArray(ob) ? ob : [ob]) orderTerms(t, a, o, terms);
  // Without order_by Hasura leaves the order to Postgres (insertion order on a fresh heap); we make it stable.
  terms.push(`${a}."_seq" ASC`);
  s += ` ORDER BY ${terms.join(', ')}`;
  if (args.limit !== undefined && args.limit !== null) {
    if (args.limit < 0) throw new HasuraError('validation-failed', 'unexpected negative value');
    s += ` LIMIT ${p.add(args.limit, 'integer')}`;
  }
  if (args.offset !== undefined && args.offset !== null) {
    if (args.offset < 0) throw new HasuraError('validation-failed', 'unexpected negative value');
    s += ` OFFSET ${p.add(args.offset, 'integer')}`;
  }
  return s;
}

/** Rows of `t` matching args, plus an optional extra equality (for array relationships). */
export async function selectRows(
  sql: Sql,
  t: Table,
  args: SelectArgs,
  eq?: { column: string; value: unknown },
): Promise<Row[]> {
  const p = new Params();
  const a = alias();
  let cond = whereSql(t, a, args.where, p);
  if (eq) cond = `${a}.${q(eq.column)} = ${p.add(eq.value, castOf(column(t, eq.column)!))} AND ${cond}`;
  const text = `SELECT to_json(${a}) AS j FROM ${q(t.sqlTable)} ${a} WHERE ${cond}${tail(t, a, args, p)}`;
  const res = await sql.query<{ j: Row }>(text, p.values);
  return res.rows.map((r) => r.j);
}

export async function countRows(sql: Sql, t: Table, where: Obj | null | undefined): Promise<number> {
  const p = new Params();
  const a = alias();
  const res = await sql.query<{ n: number }>(
    `SELECT count(*)::integer AS n FROM ${q(t.sqlTable)} ${a} WHERE ${whereSql(t, a, where, p)}`,
    p.values,
  );
  return res.rows[0].n;
}

export async function selectByPk(sql: Sql, t: Table, id: unknown): Promise<Row | null> {
  const a = alias();
  const res = await sql.query<{ j: Row }>(
    `SELECT to_json(${a}) AS j FROM ${q(t.sqlTable)} ${a} WHERE ${a}.id = $1::uuid`,
    [id],
  );
  return res.rows[0]?.j ?? null;
}

/** Inserts one object with its nested relationship inserts, in Hasura's order. */
export async function insertOne(sql: Sql, t: Table, object: Obj): Promise<Row> {
  const values: Obj = {};
  const after: Array<{ table: Table; from: string; to: string; data: Obj[] }> = [];
  for (const [key, v] of Object.entries(object)) {
    if (v === undefined) continue;
    const r = t.relationships.find((x) => x.name === key);
    if (!r) {
      values[key] = v;
      continue;
    }
    const target = tableByKey(r.target);
    const data = (v as { data: Obj | Obj[] }).data;
    if (r.kind === 'object') {
      const inserted = await insertOne(sql, target, data as Obj);
      values[r.from] = inserted[r.to];
    } else after.push({ table: target, from: r.from, to: r.to, data: data as Obj[] });
  }
  const p = new Params();
  const cols = Object.keys(values);
  const a = alias();
  const text =
    cols.length === 0
      ? `INSERT INTO ${q(t.sqlTable)} AS ${a} DEFAULT VALUES RETURNING to_json(${a}) AS j`
      : `INSERT INTO ${q(t.sqlTable)} AS ${a} (${cols.map(q).join(', ')}) VALUES (${cols
          .map((c) => p.add(values[c], castOf(column(t, c)!)))
          .join(', ')}) RETURNING to_json(${a}) AS j`;
  const row = (await sql.query<{ j: Row }>(text, p.values)).rows[0].j;
  for (const rel of after)
    for (const child of rel.data) await insertOne(sql, rel.table, { ...child, [rel.to]: row[rel.from] });
  return row;
}

function setClause(t: Table, set: Obj | null | undefined, inc: Obj | null | undefined, p: Params): string[] {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(set ?? {})) {
    if (v === undefined) continue;
    parts.push(`${q(k)} = ${p.add(v, castOf(column(t, k)!))}`);
  }
  for (const [k, v] of Object.entries(inc ?? {})) {
    if (v === undefined || v === null) continue;
    parts.push(`${q(k)} = ${q(k)} + ${p.add(v, 'integer')}`);
  }
  if (parts.length && column(t, 'updatedAt')) parts.push(`"updatedAt" = sim_time(now())`);
  return parts;
}

export async function updateRows(
  sql: Sql,
  t: Table,
  where: Obj | null | undefined,
  set: Obj | null | undefined,
  inc: Obj | null | undefined,
): Promise<Row[]> {
  const p = new Params();
  const a = alias();
  const parts = setClause(t, set, inc, p);
  const cond = whereSql(t, a, where, p);
  if (!parts.length)
    return (
      await sql.query<{ j: Row }>(
        `SELECT to_json(${a}) AS j FROM ${q(t.sqlTable)} ${a} WHERE ${cond}`,
        p.values,
      )
    ).rows.map((r) => r.j);
  const text = `UPDATE ${q(t.sqlTable)} AS ${a} SET ${parts.join(', ')} WHERE ${cond} RETURNING to_json(${a}) AS j`;
  return (await sql.query<{ j: Row }>(text, p.values)).rows.map((r) => r.j);
}

export async function deleteRows(sql: Sql, t: Table, where: Obj | null | undefined): Promise<Row[]> {
  const p = new Params();
  const a = alias();
  const text = `DELETE FROM ${q(t.sqlTable)} AS ${a} WHERE ${whereSql(t, a, where, p)} RETURNING to_json(${a}) AS j`;
  return (await sql.query<{ j: Row }>(text, p.values)).rows.map((r) => r.j);
}

export { Params };
