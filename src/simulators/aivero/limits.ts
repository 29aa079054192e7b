/**
 * Bounds on what one request can make the simulator do: each selected field can be a SQL query
 * and each nested `where` a subquery, so a document with thousands of aliases or a `_not` nested a
 * thousand deep would tie up the database. Real clients stay far below these limits.
 */
import { Kind, visit, type DocumentNode } from 'graphql';
import { HasuraError } from './errors';

export const MAX_FIELDS = 500;
export const MAX_VALUE_DEPTH = 32;
export const MAX_SELECTION_DEPTH = 16;

export function checkLimits(doc: DocumentNode): void {
  let fields = 0;
  let valueDepth = 0;
  let selectionDepth = 0;
  const tooComplex = (what: string): never => {
    throw new HasuraError('validation-failed', `query is too complex: ${what}`, '$.query');
  };
  visit(doc, {
    Field: () => {
      if (++fields > MAX_FIELDS) tooComplex(`more than ${MAX_FIELDS} fields`);
    },
    SelectionSet: {
      enter: () => {
        if (++selectionDepth > MAX_SELECTION_DEPTH)
          tooComplex(`selections nested deeper than ${MAX_SELECTION_DEPTH}`);
      },
      leave: () => {
        selectionDepth--;
      },
    },
    enter(node) {
      if (node.kind === Kind.OBJECT || node.kind === Kind.LIST) {
        if (++valueDepth > MAX_VALUE_DEPTH) tooComplex(`values nested deeper than ${MAX_VALUE_DEPTH}`);
      }
    },
    leave(node) {
      if (node.kind === Kind.OBJECT || node.kind === Kind.LIST) valueDepth--;
    },
  });
}

/** The same bound for JSON variables, which can nest a `where` just as deep. */
export function checkVariableDepth(value: unknown, depth = 0): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_VALUE_DEPTH)
    throw new HasuraError(
      'validation-failed',
      `variables nested deeper than ${MAX_VALUE_DEPTH}`,
      '$.variables',
    );
  for (const v of Object.values(value)) checkVariableDepth(v, depth + 1);
}
