/**
 * One GraphQL request, as Hasura runs it: parse, validate against the role's schema, coerce the
 * variables, then run every root field of the operation inside one Postgres transaction. Any error
 * rolls the whole request back and the answer is Hasura's `{errors: [one error]}` without `data`.
 */
import {
  execute,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { PGlite } from './database';
import { HasuraError, toHasuraError, type GraphQLErrorBody } from './errors';
import { checkLimits, checkVariableDepth } from './limits';
import { permissionsOf } from './permissions';
import { buildSchema, type ExecContext } from './schema';
import { validationError, variableError } from './translate';

export interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

export interface Prepared {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  request: GraphQLRequest;
}

export type Answer = { data: Record<string, unknown> } | GraphQLErrorBody;

const MAX_QUERY_CHARS = 256 * 1024;

/** Checks the JSON body of a request: `{query, variables?, operationName?}`. */
export function readRequest(body: unknown): GraphQLRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HasuraError('parse-failed', 'When parsing the request body: expected an object', '$');
  const b = body as Record<string, unknown>;
  if (typeof b.query !== 'string')
    throw new HasuraError('parse-failed', "the key 'query' was not present", '$');
  if (b.query.length > MAX_QUERY_CHARS)
    throw new HasuraError('validation-failed', 'query is too long', '$.query');
  const variables = b.variables ?? {};
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables))
    throw new HasuraError('parse-failed', 'expected an object for variables', '$.variables');
  const operationName = b.operationName;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    throw new HasuraError('parse-failed', 'expected a string for operationName', '$.operationName');
  return {
    query: b.query,
    variables: variables as Record<string, unknown>,
    operationName: operationName ?? undefined,
  };
}

class Rollback extends Error {
  constructor(readonly error: HasuraError) {
    super(error.message);
  }
}

export class Executor {
  private readonly schemas = new Map<string, GraphQLSchema>();
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly db: PGlite,
    private readonly options: { lenientInts: boolean },
  ) {}

  /** Parsed and validated documents by role and text: clients send the same few operations again and again. */
  private readonly documents = new Map<string, Omit<Prepared, 'request'>>();

  schemaFor(role: string): GraphQLSchema {
    let s = this.schemas.get(role);
    if (!s) {
      s = buildSchema(permissionsOf(role), this.options);
      // Roles are few (claims choose among them); cap the cache against a flood of invented roles.
      if (this.schemas.size > 64) this.schemas.clear();
      this.schemas.set(role, s);
    }
    return s;
  }

  prepare(role: string, request: GraphQLRequest): Prepared {
    const key = `${role}\u0000${request.operationName ?? ''}\u0000${request.query}`;
    const cached = this.documents.get(key);
    if (cached) {
      checkVariableDepth(request.variables);
      // Refresh its place: the map's order is the least recently used first.
      this.documents.delete(key);
      this.documents.set(key, cached);
      return { ...cached, request };
    }
    checkVariableDepth(request.variables);
    const prepared = this.prepareUncached(role, request);
    // Only ordinary-sized documents are kept, so the cache stays small whatever clients send.
    if (request.query.length > 16 * 1024) return prepared;
    this.documents.set(key, {
      schema: prepared.schema,
      document: prepared.document,
      operation: prepared.operation,
    });
    if (this.documents.size > 256) this.documents.delete(this.documents.keys().next().value as string);
    return prepared;
  }

  private prepareUncached(role: string, request: GraphQLRequest): Prepared {
    const schema = this.schemaFor(role);
    let document: DocumentNode;
    try {
      document = parse(request.query, { maxTokens: 20_000 });
    } catch {
      throw new HasuraError('validation-failed', 'not a valid graphql query', '$.query');
    }
    checkLimits(document);
    const errors = validate(schema, document, undefined, { maxErrors: 5 });
    if (errors.length) throw validationError(document, errors[0]);
    const operation = getOperationAST(document, request.operationName);
    if (!operation)
      throw new HasuraError(
        'validation-failed',
        request.operationName
          ? `no such operation found in the document: "${request.operationName.slice(0, 100)}"`
          : 'exactly one operation has to be present in the document when operationName is not specified',
      );
    if (operation.operation === 'mutation' && !schema.getMutationType())
      throw new HasuraError('validation-failed', 'no mutations exist');
    if (operation.operation === 'subscription' && !schema.getSubscriptionType())
      throw new HasuraError('validation-failed', 'no subscriptions exist');
    return { schema, document, operation, request };
  }

  /** Runs a query or mutation (subscriptions go through live-query.ts, which calls runOnce). */
  async run(role: string, request: GraphQLRequest): Promise<Answer> {
    try {
      const prepared = this.prepare(role, request);
      if (prepared.operation.operation === 'subscription')
        throw new HasuraError('validation-failed', 'subscriptions are only supported over websockets', '$');
      return await this.runOnce(prepared);
    } catch (err) {
      return { errors: [toHasuraError(err).toJSON()] };
    }
  }

  /** Waits for every operation under way and refuses new ones (before the database closes). */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Executes a prepared operation in one transaction; throws a HasuraError on any error. */
  runOnce(p: Prepared): Promise<{ data: Record<string, unknown> }> {
    if (this.closed) return Promise.reject(new HasuraError('unexpected', 'the server is shutting down'));
    const run = this.execute(p);
    this.inflight.add(run);
    void run.then(
      () => this.inflight.delete(run),
      () => this.inflight.delete(run),
    );
    return run;
  }

  private async execute(p: Prepared): Promise<{ data: Record<string, unknown> }> {
    let data: Record<string, unknown>;
    try {
      data = await this.db.transaction(async (tx) => {
        const ctx: ExecContext = { sql: tx };
        const result = await execute({
          schema: p.schema,
          document: p.document,
          variableValues: p.request.variables,
          operationName: p.request.operationName,
          contextValue: ctx,
        });
        if (result.errors?.length) {
          const first = result.errors[0];
          // Variables that cannot be coerced: graphql-js answers without a data key at all.
          if (!('data' in result)) throw new Rollback(variableError(p.document, first));
          throw new Rollback(toHasuraError(first.originalError ?? first));
        }
        return result.data as Record<string, unknown>;
      });
    } catch (err) {
      throw err instanceof Rollback ? err.error : toHasuraError(err);
    }
    return { data };
  }
}
