/**
 * Hasura reports where in the request an error sits as a JSON path through the document:
 * `$.selectionSet.cameras.args.where.model._eq`. These helpers find that path for a node of the
 * parsed document or for the first place a variable is used.
 */
import { Kind, type ASTNode, type DocumentNode, type SelectionSetNode, type ValueNode } from 'graphql';

type Match = (node: ASTNode) => boolean;

function inValue(v: ValueNode, path: string, match: Match): string | undefined {
  if (match(v)) return path;
  if (v.kind === Kind.OBJECT)
    for (const f of v.fields) {
      const p = `${path}.${f.name.value}`;
      if (match(f)) return p;
      const r = inValue(f.value, p, match);
      if (r) return r;
    }
  if (v.kind === Kind.LIST)
    for (let i = 0; i < v.values.length; i++) {
      const r = inValue(v.values[i], `${path}[${i}]`, match);
      if (r) return r;
    }
  return undefined;
}

function inSelections(
  doc: DocumentNode,
  set: SelectionSetNode,
  path: string,
  match: Match,
  seen: Set<string>,
): string | undefined {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const p = `${path}.selectionSet.${sel.alias?.value ?? sel.name.value}`;
      if (match(sel) || match(sel.name)) return p;
      for (const a of sel.arguments ?? []) {
        const ap = `${p}.args.${a.name.value}`;
        if (match(a)) return ap;
        const r = inValue(a.value, ap, match);
        if (r) return r;
      }
      if (sel.selectionSet) {
        const r = inSelections(doc, sel.selectionSet, p, match, seen);
        if (r) return r;
      }
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const r = inSelections(doc, sel.selectionSet, path, match, seen);
      if (r) return r;
    } else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      seen.add(name);
      const frag = doc.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
      if (frag && frag.kind === Kind.FRAGMENT_DEFINITION) {
        const r = inSelections(doc, frag.selectionSet, path, match, seen);
        if (r) return r;
      }
    }
  }
  return undefined;
}

function find(doc: DocumentNode, match: Match): string | undefined {
  for (const d of doc.definitions)
    if (d.kind === Kind.OPERATION_DEFINITION) {
      const r = inSelections(doc, d.selectionSet, '$', match, new Set());
      if (r) return r;
    }
  return undefined;
}

export function pathOfNode(doc: DocumentNode, node: ASTNode | undefined): string {
  if (!node) return '$';
  return find(doc, (n) => n === node) ?? '$';
}

export function pathOfVariable(doc: DocumentNode, name: string): string {
  return find(doc, (n) => n.kind === Kind.VARIABLE && n.name.value === name) ?? '$';
}
