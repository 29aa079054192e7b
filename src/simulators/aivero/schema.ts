/**
 * The GraphQL schema of one role, in Hasura's shape (hasura-default naming for arguments and
 * operators, nhost custom root-field names, `<table>_bool_exp`, `<table>_order_by`, …), built with
 * graphql-js from model.ts. Resolvers compile to SQL (sql.ts) against the request's transaction.
 */
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLScalarType,
} from 'graphql';
import type { Sql } from './database';
import { toHasuraError } from './errors';
import { ENUMS, TABLES, enumTypeName, tableByKey, type Column, type Table } from './model';
import { can, type RolePermissions } from './permissions';
import { intScalar, timestampScalar, uuidScalar } from './scalars';
import {
  countRows,
  deleteRows,
  insertOne,
  selectByPk,
  selectRows,
  updateRows,
  type Row,
  type SelectArgs,
} from './sql';

export interface ExecContext {
  sql: Sql;
}

type Obj = Record<string, unknown>;
type Field = GraphQLFieldConfig<unknown, ExecContext>;

const nn = <T extends GraphQLInputType | GraphQLOutputType>(t: T): GraphQLNonNull<T> => new GraphQLNonNull(t);
const list = <T extends GraphQLInputType | GraphQLOutputType>(t: T): GraphQLList<T> => new GraphQLList(t);

/** Errors of a mutation carry the path of its main argument, as Hasura reports them. */
function argPath(info: GraphQLResolveInfo, arg: string): string {
  return `$.selectionSet.${info.fieldName}.args.${arg}`;
}

async function withPath<T>(path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toHasuraError(err, path);
  }
}

export interface SchemaOptions {
  lenientInts: boolean;
}

export function buildSchema(perms: RolePermissions, options: SchemaOptions): GraphQLSchema {
  const scalars: Record<string, GraphQLScalarType> = {
    uuid: uuidScalar(),
    String: GraphQLString,
    Int: intScalar(options.lenientInts),
    timestamp: timestampScalar(),
  };
  const enums = new Map<string, GraphQLEnumType>();
  for (const e of ENUMS) {
    const values: Record<string, { value: string; description: string }> = {};
    for (const v of e.values) values[v.value] = { value: v.value, description: v.comment };
    enums.set(e.name, new GraphQLEnumType({ name: enumTypeName(e.name), values }));
  }
  const orderBy = new GraphQLEnumType({
    name: 'order_by',
    description: 'column ordering options',
    values: {
      asc: { description: 'in ascending order, nulls last' },
      asc_nulls_first: { description: 'in ascending order, nulls first' },
      asc_nulls_last: { description: 'in ascending order, nulls last' },
      desc: { description: 'in descending order, nulls first' },
      desc_nulls_first: { description: 'in descending order, nulls first' },
      desc_nulls_last: { description: 'in descending order, nulls last' },
    },
  });

  const typeOf = (c: Column): GraphQLScalarType | GraphQLEnumType =>
    typeof c.type === 'object' ? enums.get(c.type.enum)! : scalars[c.type];

  const comparisons = new Map<string, GraphQLInputObjectType>();
  const comparisonOf = (c: Column): GraphQLInputObjectType => {
    const base = typeOf(c);
    const name = `${base.name}_comparison_exp`;
    let cmp = comparisons.get(name);
    if (cmp) return cmp;
    const isEnum = typeof c.type === 'object';
    const fields: GraphQLInputFieldConfigMap = {
      _eq: { type: base },
      _in: { type: list(nn(base)) },
      _is_null: { type: GraphQLBoolean },
      _neq: { type: base },
      _nin: { type: list(nn(base)) },
    };
    if (!isEnum) {
      fields._gt = { type: base };
      fields._gte = { type: base };
      fields._lt = { type: base };
      fields._lte = { type: base };
    }
    if (c.type === 'String') {
      fields._like = { type: GraphQLString };
      fields._ilike = { type: GraphQLString };
    }
    cmp = new GraphQLInputObjectType({
      name,
      description: `Boolean expression to compare columns of type "${base.name}". All fields are combined with logical 'AND'.`,
      fields,
    });
    comparisons.set(name, cmp);
    return cmp;
  };

  const visible = (t: Table): boolean => can(perms, t.key, 'select');
  const objects = new Map<string, GraphQLObjectType>();
  const boolExps = new Map<string, GraphQLInputObjectType>();
  const orderBys = new Map<string, GraphQLInputObjectType>();
  const inserts = new Map<string, GraphQLInputObjectType>();

  const boolExpOf = (t: Table): GraphQLInputObjectType => {
    let b = boolExps.get(t.key);
    if (b) return b;
    b = new GraphQLInputObjectType({
      name: `${t.typeName}_bool_exp`,
      description: `Boolean expression to filter rows from the table "${t.sqlTable}". All fields are combined with a logical 'AND'.`,
      fields: () => {
        const f: GraphQLInputFieldConfigMap = {
          _and: { type: list(nn(boolExpOf(t))) },
          _not: { type: boolExpOf(t) },
          _or: { type: list(nn(boolExpOf(t))) },
        };
        for (const c of t.columns) f[c.name] = { type: comparisonOf(c) };
        for (const r of t.relationships)
          if (visible(tableByKey(r.target))) f[r.name] = { type: boolExpOf(tableByKey(r.target)) };
        return f;
      },
    });
    boolExps.set(t.key, b);
    return b;
  };

  const orderByOf = (t: Table): GraphQLInputObjectType => {
    let o = orderBys.get(t.key);
    if (o) return o;
    o = new GraphQLInputObjectType({
      name: `${t.typeName}_order_by`,
      description: `Ordering options when selecting data from "${t.sqlTable}".`,
      fields: () => {
        const f: GraphQLInputFieldConfigMap = {};
        for (const c of t.columns) f[c.name] = { type: orderBy };
        for (const r of t.relationships)
          if (r.kind === 'object' && visible(tableByKey(r.target)))
            f[r.name] = { type: orderByOf(tableByKey(r.target)) };
        return f;
      },
    });
    orderBys.set(t.key, o);
    return o;
  };

  const selectArgs = (t: Table): GraphQLFieldConfig<unknown, ExecContext>['args'] => ({
    limit: { type: scalars.Int, description: 'limit the number of rows returned' },
    offset: { type: scalars.Int, description: 'skip the first n rows. Use only with order_by' },
    order_by: { type: list(nn(orderByOf(t))), description: 'sort the rows by one or more columns' },
    where: { type: boolExpOf(t), description: 'filter the rows returned' },
  });

  const objectOf = (t: Table): GraphQLObjectType => {
    let o = objects.get(t.key);
    if (o) return o;
    o = new GraphQLObjectType<Row, ExecContext>({
      name: t.typeName,
      description: `columns and relationships of "${t.sqlTable}"`,
      fields: () => {
        const f: GraphQLFieldConfigMap<Row, ExecContext> = {};
        for (const c of t.columns) {
          const type = typeOf(c);
          f[c.name] = { type: c.nullable ? type : nn(type) };
        }
        for (const r of t.relationships) {
          const target = tableByKey(r.target);
          if (!visible(target)) continue;
          if (r.kind === 'object')
            f[r.name] = {
              type: r.from === 'id' || !columnNullable(t, r.from) ? nn(objectOf(target)) : objectOf(target),
              description: 'An object relationship',
              resolve: async (row, _args, ctx) => {
                const v = row[r.from];
                if (v === null || v === undefined) return null;
                const rows = await selectRows(ctx.sql, target, { limit: 1 }, { column: r.to, value: v });
                return rows[0] ?? null;
              },
            };
          else
            f[r.name] = {
              type: nn(list(nn(objectOf(target)))),
              description: 'An array relationship',
              args: selectArgs(target),
              resolve: (row, args, ctx) =>
                selectRows(ctx.sql, target, args as SelectArgs, { column: r.to, value: row[r.from] }),
            };
        }
        return f;
      },
    });
    objects.set(t.key, o);
    return o;
  };

  const insertOf = (t: Table): GraphQLInputObjectType => {
    let i = inserts.get(t.key);
    if (i) return i;
    i = new GraphQLInputObjectType({
      name: `${t.typeName}_insert_input`,
      description: `input type for inserting data into table "${t.sqlTable}"`,
      fields: () => {
        const f: GraphQLInputFieldConfigMap = {};
        for (const c of t.columns) f[c.name] = { type: typeOf(c) };
        for (const r of t.relationships) {
          const target = tableByKey(r.target);
          if (!can(perms, target.key, 'insert')) continue;
          f[r.name] = {
            type: r.kind === 'object' ? objRelOf(target) : arrRelOf(target),
          };
        }
        return f;
      },
    });
    inserts.set(t.key, i);
    return i;
  };
  const objRels = new Map<string, GraphQLInputObjectType>();
  const objRelOf = (t: Table): GraphQLInputObjectType => {
    let o = objRels.get(t.key);
    if (!o) {
      o = new GraphQLInputObjectType({
        name: `${t.typeName}_obj_rel_insert_input`,
        description: `input type for inserting object relation for remote table "${t.sqlTable}"`,
        fields: () => ({ data: { type: nn(insertOf(t)) } }),
      });
      objRels.set(t.key, o);
    }
    return o;
  };
  const arrRels = new Map<string, GraphQLInputObjectType>();
  const arrRelOf = (t: Table): GraphQLInputObjectType => {
    let o = arrRels.get(t.key);
    if (!o) {
      o = new GraphQLInputObjectType({
        name: `${t.typeName}_arr_rel_insert_input`,
        description: `input type for inserting array relation for remote table "${t.sqlTable}"`,
        fields: () => ({ data: { type: nn(list(nn(insertOf(t)))) } }),
      });
      arrRels.set(t.key, o);
    }
    return o;
  };

  const query: GraphQLFieldConfigMap<unknown, ExecContext> = {};
  const mutation: GraphQLFieldConfigMap<unknown, ExecContext> = {};
  const subscription: GraphQLFieldConfigMap<unknown, ExecContext> = {};

  for (const t of TABLES) {
    const obj = (): GraphQLObjectType => objectOf(t);
    if (can(perms, t.key, 'select')) {
      const many: Field = {
        type: nn(list(nn(obj()))),
        description: `fetch data from the table: "${t.sqlTable}"`,
        args: selectArgs(t),
        resolve: (_s, args, ctx) => withPath('$', () => selectRows(ctx.sql, t, args as SelectArgs)),
      };
      const one: Field = {
        type: obj(),
        description: `fetch data from the table: "${t.sqlTable}" using primary key columns`,
        args: { id: { type: nn(scalars.uuid) } },
        resolve: (_s, args: Obj, ctx) => withPath('$', () => selectByPk(ctx.sql, t, args.id)),
      };
      const aggregateFields = new GraphQLObjectType<{ where: Obj | null }, ExecContext>({
        name: `${t.typeName}_aggregate_fields`,
        description: `aggregate fields of "${t.sqlTable}"`,
        fields: {
          count: {
            type: nn(scalars.Int),
            resolve: (src, _a, ctx) => countRows(ctx.sql, t, src.where),
          },
        },
      });
      const aggregate: Field = {
        type: nn(
          new GraphQLObjectType<{ where: Obj | null; args: SelectArgs }, ExecContext>({
            name: `${t.typeName}_aggregate`,
            description: `aggregated selection of "${t.sqlTable}"`,
            fields: {
              aggregate: { type: aggregateFields, resolve: (src) => ({ where: src.where }) },
              nodes: {
                type: nn(list(nn(obj()))),
                resolve: (src, _a, ctx) => selectRows(ctx.sql, t, src.args),
              },
            },
          }),
        ),
        description: `fetch aggregated fields from the table: "${t.sqlTable}"`,
        args: selectArgs(t),
        resolve: (_s, args: Obj) => ({ where: (args.where as Obj) ?? null, args }),
      };
      query[t.plural] = many;
      query[t.singular] = one;
      query[`${t.plural}Aggregate`] = aggregate;
      subscription[t.plural] = many;
      subscription[t.singular] = one;
      subscription[`${t.plural}Aggregate`] = aggregate;
    }
    const response = (): GraphQLObjectType =>
      new GraphQLObjectType<Row[], ExecContext>({
        name: `${t.typeName}_mutation_response`,
        description: `response of any mutation on the table "${t.sqlTable}"`,
        fields: {
          affected_rows: {
            type: nn(scalars.Int),
            description: 'number of rows affected by the mutation',
            resolve: (rows) => rows.length,
          },
          returning: {
            type: nn(list(nn(obj()))),
            description: 'data from the rows affected by the mutation',
            resolve: (rows) => rows,
          },
        },
      });
    let responseType: GraphQLObjectType | undefined;
    const resp = (): GraphQLObjectType => (responseType ??= response());
    if (can(perms, t.key, 'insert')) {
      mutation[`insert${t.pluralCap}`] = {
        type: resp(),
        description: `insert data into the table: "${t.sqlTable}"`,
        args: { objects: { type: nn(list(nn(insertOf(t)))) } },
        resolve: (_s, args: Obj, ctx, info) =>
          withPath(argPath(info, 'objects'), async () => {
            const rows: Row[] = [];
            for (const o of args.objects as Obj[]) rows.push(await insertOne(ctx.sql, t, o));
            return rows;
          }),
      };
      mutation[`insert${t.singularCap}`] = {
        type: obj(),
        description: `insert a single row into the table: "${t.sqlTable}"`,
        args: { object: { type: nn(insertOf(t)) } },
        resolve: (_s, args: Obj, ctx, info) =>
          withPath(argPath(info, 'object'), () => insertOne(ctx.sql, t, args.object as Obj)),
      };
    }
    if (can(perms, t.key, 'update')) {
      const setFields: GraphQLInputFieldConfigMap = {};
      const incFields: GraphQLInputFieldConfigMap = {};
      for (const c of t.columns) {
        if (c.name === 'id') continue;
        setFields[c.name] = { type: typeOf(c) };
        if (c.type === 'Int') incFields[c.name] = { type: scalars.Int };
      }
      const setInput = new GraphQLInputObjectType({
        name: `${t.typeName}_set_input`,
        description: `input type for updating data in table "${t.sqlTable}"`,
        fields: setFields,
      });
      const incInput = Object.keys(incFields).length
        ? new GraphQLInputObjectType({
            name: `${t.typeName}_inc_input`,
            description: 'input type for incrementing numeric columns in table',
            fields: incFields,
          })
        : undefined;
      const pk = new GraphQLInputObjectType({
        name: `${t.typeName}_pk_columns_input`,
        description: `primary key columns input for table: ${t.sqlTable}`,
        fields: { id: { type: nn(scalars.uuid) } },
      });
      const changes = {
        _set: { type: setInput, description: 'sets the columns of the filtered rows to the given values' },
        ...(incInput ? { _inc: { type: incInput, description: 'increments the numeric columns' } } : {}),
      };
      mutation[`update${t.pluralCap}`] = {
        type: resp(),
        description: `update data of the table: "${t.sqlTable}"`,
        args: { ...changes, where: { type: nn(boolExpOf(t)) } },
        resolve: (_s, args: Obj, ctx, info) =>
          withPath(argPath(info, '_set'), () =>
            updateRows(ctx.sql, t, args.where as Obj, args._set as Obj, args._inc as Obj),
          ),
      };
      mutation[`update${t.singularCap}`] = {
        type: obj(),
        description: `update single row of the table: "${t.sqlTable}"`,
        args: { ...changes, pk_columns: { type: nn(pk) } },
        resolve: (_s, args: Obj, ctx, info) =>
          withPath(argPath(info, '_set'), async () => {
            const id = (args.pk_columns as Obj).id;
            const rows = await updateRows(
              ctx.sql,
              t,
              { id: { _eq: id } },
              args._set as Obj,
              args._inc as Obj,
            );
            return rows[0] ?? null;
          }),
      };
    }
    if (can(perms, t.key, 'delete')) {
      mutation[`delete${t.pluralCap}`] = {
        type: resp(),
        description: `delete data from the table: "${t.sqlTable}"`,
        args: { where: { type: nn(boolExpOf(t)), description: 'filter the rows which have to be deleted' } },
        resolve: (_s, args: Obj, ctx, info) =>
          withPath(argPath(info, 'where'), () => deleteRows(ctx.sql, t, args.where as Obj)),
      };
      mutation[`delete${t.singularCap}`] = {
        type: obj(),
        description: `delete single row from the table: "${t.sqlTable}"`,
        args: { id: { type: nn(scalars.uuid) } },
        resolve: (_s, args: Obj, ctx, info) =>
          withPath(argPath(info, 'id'), async () => {
            const rows = await deleteRows(ctx.sql, t, { id: { _eq: args.id } });
            return rows[0] ?? null;
          }),
      };
    }
  }

  if (Object.keys(query).length === 0)
    query.no_queries_available = { type: nn(GraphQLString), resolve: () => '' };
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'query_root', fields: query }),
    mutation: Object.keys(mutation).length
      ? new GraphQLObjectType({ name: 'mutation_root', fields: mutation })
      : undefined,
    subscription: Object.keys(subscription).length
      ? new GraphQLObjectType({ name: 'subscription_root', fields: subscription })
      : undefined,
    // Only what the role can reach is in its schema (Hasura: an enum of a hidden table is not listed).
  });
}

function columnNullable(t: Table, name: string): boolean {
  return t.columns.find((c) => c.name === name)?.nullable ?? true;
}
