/**
 * graphql-js reports problems in its own words; Hasura uses others. The messages a client is likely
 * to meet are rewritten to Hasura's (validation-failed, with the path of the offending node).
 */
import type { DocumentNode, GraphQLError } from 'graphql';
import { HasuraError } from './errors';
import { pathOfNode, pathOfVariable } from './paths';
import { ScalarValueError } from './scalars';

const RULES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^Cannot query field "([^"]+)" on type "([^"]+)"/, (m) => `field '${m[1]}' not found in type: '${m[2]}'`],
  [
    /^Field "([^"]+)" is not defined by type "([^"]+)"/,
    (m) => `field '${m[1]}' not found in type: '${m[2]}'`,
  ],
  [
    /^Unknown argument "([^"]+)" on field "[^".]+\.([^"]+)"/,
    (m) => `'${m[2]}' has no argument named '${m[1]}'`,
  ],
  [
    /^Field "[^"]+" argument "([^"]+)" of type "[^"]+" is required/,
    (m) => `missing required field '${m[1]}'`,
  ],
  [
    /^Field "[^".]+\.([^"]+)" of required type "[^"]+" was not provided/,
    (m) => `missing required field '${m[1]}'`,
  ],
  [
    /Value "([^"]+)" does not exist in "([^"]+)" enum/,
    (m) => `unexpected value "${m[1]}" for enum: '${m[2]}'`,
  ],
  [
    /^Enum "([^"]+)" cannot represent non-enum value: ([^.;]+)/,
    (m) => `unexpected value ${m[2]} for enum: '${m[1]}'`,
  ],
  [/^Schema is not configured to execute mutation operation/, () => 'no mutations exist'],
  [/^Schema is not configured to execute subscription operation/, () => 'no subscriptions exist'],
  [/^Unknown type "([^"]+)"/, (m) => `variable type '${m[1]}' is not defined`],
];

function rewrite(message: string): string {
  for (const [re, f] of RULES) {
    const m = message.match(re);
    if (m) return f(m);
  }
  return message;
}

/** A validation error (from validate()) as Hasura reports it. */
export function validationError(doc: DocumentNode, err: GraphQLError): HasuraError {
  return new HasuraError('validation-failed', rewrite(err.message), pathOfNode(doc, err.nodes?.[0]));
}

/** A variable that could not be coerced (execute() answered without data). */
export function variableError(doc: DocumentNode, err: GraphQLError): HasuraError {
  const missing = err.message.match(
    /^Variable "\$([^"]+)" of (?:required|non-null) type "[^"]+" (?:was not provided|must not be null)/,
  );
  if (missing)
    return new HasuraError(
      'validation-failed',
      `expecting a value for non-nullable variable: "${missing[1]}"`,
    );
  const invalid = err.message.match(
    /^Variable "\$([^"]+)" got invalid value .*?(?: at "[^."[]+((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)")?; (.*)$/s,
  );
  if (invalid) {
    const inner =
      err.originalError instanceof ScalarValueError ? err.originalError.message : rewrite(invalid[3]);
    // Inside an input-object variable graphql-js says where (`at "o.maxTimeSeconds"`): extend the path.
    return new HasuraError('validation-failed', inner, pathOfVariable(doc, invalid[1]) + (invalid[2] ?? ''));
  }
  return new HasuraError('validation-failed', rewrite(err.message));
}
