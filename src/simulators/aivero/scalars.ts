/**
 * Hasura's scalars for this schema. `Int` replaces graphql-js' built-in so that the simulator can
 * answer with Hasura's message and, in lenient mode, accept the numeric strings the vendor's
 * scripts send (vendor documentation). `uuid` and `timestamp` are passed to Postgres as text: Postgres
 * decides what is valid (an invalid literal is a data-exception, as on Hasura).
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/** A value Hasura would reject while parsing; the message is used verbatim. */
export class ScalarValueError extends GraphQLError {
  constructor(message: string) {
    super(message);
  }
}

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return 'a number';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return 'an object';
}

function int32(n: number): boolean {
  return Number.isInteger(n) && n >= INT_MIN && n <= INT_MAX;
}

export function intScalar(lenient: boolean): GraphQLScalarType {
  const reject = (v: unknown): never => {
    throw new ScalarValueError(`expected a 32-bit integer for type "Int", but found ${jsonKind(v)}`);
  };
  return new GraphQLScalarType({
    name: 'Int',
    description:
      'The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent values between -(2^31) and 2^31 - 1.',
    serialize: (v) => v,
    parseValue(v) {
      if (typeof v === 'number' && int32(v)) return v;
      // Lenient: a decimal integer written as a JSON string, as python_graphql_client sends "0".
      if (lenient && typeof v === 'string' && /^-?[0-9]{1,10}$/.test(v)) {
        const n = Number(v);
        if (int32(n)) return n;
      }
      return reject(v);
    },
    parseLiteral(ast: ValueNode) {
      if (ast.kind === Kind.INT) {
        const n = Number(ast.value);
        if (int32(n)) return n;
        return reject(n);
      }
      if (ast.kind === Kind.STRING)
        return lenient && /^-?[0-9]{1,10}$/.test(ast.value) && int32(Number(ast.value))
          ? Number(ast.value)
          : reject(ast.value);
      if (ast.kind === Kind.FLOAT) return reject(1.5);
      if (ast.kind === Kind.BOOLEAN) return reject(true);
      return reject({});
    },
  });
}

function textScalar(name: string): GraphQLScalarType {
  return new GraphQLScalarType({
    name,
    serialize: (v) => v,
    parseValue(v) {
      if (typeof v === 'string') return v;
      throw new ScalarValueError(`expected a string for type "${name}", but found ${jsonKind(v)}`);
    },
    parseLiteral(ast) {
      if (ast.kind === Kind.STRING) return ast.value;
      throw new ScalarValueError(`expected a string for type "${name}"`);
    },
  });
}

export function uuidScalar(): GraphQLScalarType {
  return textScalar('uuid');
}

export function timestampScalar(): GraphQLScalarType {
  return textScalar('timestamp');
}
