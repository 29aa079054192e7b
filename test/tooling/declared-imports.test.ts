/**
 * Every package the code imports is declared in package.json, so that `npm ci` in a fresh clone
 * provides it by name rather than as some other package's dependency; and what Node-RED loads of
 * ours (src outside the simulators and devtools) needs only `dependencies` at run time. Imports are
 * read with the TypeScript parser, so text in comments and strings is not mistaken for one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
const declared = new Set([...dependencies, ...Object.keys(pkg.devDependencies ?? {})]);
const builtins = new Set(builtinModules);

interface Import {
  /** Relative to the repository, with the line: `src/x.ts:12`. */
  where: string;
  specifier: string;
  /** Erased by the compiler (`import type`, `typeof import(…)`): needs the types, not the package. */
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined, typeOnly: boolean): void => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ where: `${path.relative(root, file)}:${line}`, specifier: specifier.text, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const onlyTypeNames =
        clause !== undefined &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node, node.moduleSpecifier, clause?.isTypeOnly === true || onlyTypeNames);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, true);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      // require.resolve with `paths` looks in another package's tree on purpose (the Node-RED under test).
      const isResolve =
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        callee.expression.text === 'require' &&
        callee.name.text === 'resolve' &&
        node.arguments.length === 1;
      const isDynamic = callee.kind === ts.SyntaxKind.ImportKeyword;
      if (isRequire || isResolve || isDynamic) add(node, node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The package a specifier names, or undefined for a relative path or a Node built-in. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:') || builtins.has(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** `@types/…` for a package: `@types/node-red`, `@types/scope__name`. */
function typesOf(name: string): string {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full, pattern));
    else if (pattern.test(entry.name)) out.push(full);
  }
  return out;
}

const SOURCES = [
  ...['src', 'nodes', 'test', 'bench'].flatMap((d) => filesUnder(path.join(root, d), /\.ts$/)),
  ...['scripts', 'bin'].flatMap((d) => filesUnder(path.join(root, d), /\.(c|m)?js$/)),
  ...fs
    .readdirSync(root)
    .filter((f) => /^eslint\.config\.(c|m)?js$/.test(f))
    .map((f) => path.join(root, f)),
];

describe('declared imports', () => {
  it('reads every form of import, and none from comments or strings', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'declared-imports-'));
    const file = path.join(dir, 'sample.ts');
    try {
      fs.writeFileSync(
        file,
        [
          "import a from 'pa';",
          "import type { B } from 'pb';",
          "import { type C } from 'pc';",
          "export { d } from 'pd';",
          "import e = require('pe');",
          "const f = require('pf/sub/file.js');",
          "require.resolve('@ps/pg');",
          "require.resolve('not-this', { paths: [] });",
          "void import('ph');",
          "type I = typeof import('pi');",
          "// require('not-a-comment')",
          'const s = "require(\'not-a-string\')";',
          "import 'node:fs';",
        ].join('\n'),
      );
      assert.deepEqual(
        importsOf(file).map((i) => `${packageOf(i.specifier) ?? '-'}${i.typeOnly ? ' (type)' : ''}`),
        ['pa', 'pb (type)', 'pc (type)', 'pd', 'pe', 'pf', '@ps/pg', 'ph', 'pi (type)', '-'],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every package imported by src, test, bench, scripts, bin and the lint config is declared', () => {
    assert.ok(SOURCES.length > 100, `only ${SOURCES.length} files found under ${root}`);
    const undeclared = SOURCES.flatMap(importsOf).flatMap((i) => {
      const name = packageOf(i.specifier);
      if (name === undefined || declared.has(name)) return [];
      if (i.typeOnly && declared.has(typesOf(name))) return [];
      return [`${i.where} imports ${i.specifier}`];
    });
    assert.deepEqual(undeclared, [], 'declare these in package.json');
  });

  it('what Node-RED loads of ours imports only `dependencies` at run time', () => {
    const runtime = SOURCES.filter((f) => {
      const rel = path.relative(root, f).split(path.sep);
      return rel[0] === 'nodes' || (rel[0] === 'src' && rel[1] !== 'simulators' && rel[1] !== 'devtools');
    });
    assert.ok(runtime.length > 50, `only ${runtime.length} runtime files found`);
    const devOnly = runtime.flatMap(importsOf).flatMap((i) => {
      const name = packageOf(i.specifier);
      if (name === undefined || i.typeOnly || dependencies.has(name)) return [];
      return [`${i.where} imports ${i.specifier}`];
    });
    assert.deepEqual(devOnly, [], 'these would be missing where the package is installed');
  });

  it('has at most 7 runtime dependencies, each justified in the README, each used by what Node-RED loads', () => {
    assert.ok(
      dependencies.size <= 7,
      `${dependencies.size} runtime dependencies: ${[...dependencies].join(', ')}`,
    );
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const loaded = new Set(
      SOURCES.filter((f) => {
        const rel = path.relative(root, f).split(path.sep);
        return rel[0] === 'nodes' || (rel[0] === 'src' && rel[1] !== 'simulators' && rel[1] !== 'devtools');
      })
        .flatMap(importsOf)
        .filter((i) => !i.typeOnly)
        .map((i) => packageOf(i.specifier)),
    );
    // graphql is graphql-ws's peer: installed for it, never imported by us.
    const peers = new Set(['graphql']);
    for (const name of dependencies) {
      assert.match(
        readme,
        new RegExp(`^\\| \`${name.replace(/[/.]/g, '\\$&')}\` +\\| \\S`, 'm'),
        `${name} has no row in the README`,
      );
      assert.ok(
        loaded.has(name) || peers.has(name),
        `${name} is declared but nothing Node-RED loads imports it`,
      );
    }
  });
});
