#!/usr/bin/env node
// Build step after `tsc`: lay out what Node-RED loads from the package in dist/nodes/ — one runtime
// entry per node type next to its editor HTML, the locale catalogs (shared status words merged in),
// the help texts (locales/<lang>/<type>.html) and the icons — and check that package.json's node map
// lists exactly these types.
//
// tsc compiles each node's runtime glue (nodes/<type>/*.ts) to dist/nodes/<type>/; this step writes
// the entry file dist/nodes/<type>.js beside that folder.
//
// The editor is driven by the runtime's field table: each node's table (dist/nodes/<type>/
// fields.js, exporting FIELDS) gives its editor defaults (kit/fields.js editorDefaults) and the
// rules, lists and option groups of its fields, its credentials and its configuration's
// migrations (MIGRATIONS); they are written into the built HTML as a script that registers them
// with the shared editor module (resources/editor.js) before the node's own script runs. A node
// without a table fails the build: the HTML has no defaults of its own.
//
// The format rules the runtime checks values with (src/common/formats.ts) are written once as
// resources/formats.js, which every node's HTML loads beside the editor module: the editor runs the
// runtime's own functions, each checked here to run on its own and to judge as the runtime does.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'nodes');
const target = path.join(root, 'dist', 'nodes');
const commonLocales = path.join(source, 'common', 'locales');
const EDITOR_MODULE = '<script src="resources/node-red-contrib-recorders/editor.js"></script>';
const FORMATS_MODULE = '<script src="resources/node-red-contrib-recorders/formats.js"></script>';
const formatsSource = path.join(root, 'dist', 'src', 'common', 'formats.js');
const formatsTarget = path.join(root, 'resources', 'formats.js');

/** The runtime's editor defaults and field rules for `type`, from its field table. */
function runtimeFields(type) {
  const table = path.join(target, type, 'fields.js');
  const kitFields = path.join(root, 'dist', 'src', 'kit', 'fields.js');
  if (!fs.existsSync(table)) throw new Error(`${type} has no field table (nodes/${type}/fields.ts)`);
  if (!fs.existsSync(kitFields))
    throw new Error(`${type} has a field table but dist/src/kit/fields.js is missing`);
  const { FIELDS, CREDENTIALS, MIGRATIONS } = require(table);
  const { editorDefaults } = require(kitFields);
  if (!FIELDS || typeof editorDefaults !== 'function')
    throw new Error(`${table} must export FIELDS and kit/fields.js editorDefaults`);
  return {
    defaults: editorDefaults(FIELDS, MIGRATIONS),
    rules: editorRules(FIELDS),
    credentials: CREDENTIALS ?? {},
    migrations: MIGRATIONS ?? [],
  };
}

/**
 * The source of a runtime check the editor runs as it is: a function of one value giving a problem
 * text or null. It must be self-contained (no name from its module or from Node.js), which is
 * tested here by running it alone, in an empty context, as the browser will. `what` names it.
 */
function selfContained(what, fn) {
  if (typeof fn !== 'function') throw new Error(`${what} is not a function`);
  // "</" can not close an inline script; non-ASCII is escaped so no page encoding can change a rule.
  const source = fn
    .toString()
    .replace(/<\//g, '<\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // What is sent is what is tested: alone, and giving what the runtime's own function gives.
  const alone = vm.runInNewContext(`(${source})`, Object.create(null));
  for (const sample of [
    '',
    'x',
    ' a b ',
    '*',
    'https://h/p',
    '\u0000',
    '1µs',
    42,
    null,
    undefined,
    {},
    ['a'],
  ])
    try {
      const problem = alone(sample);
      if (problem !== null && typeof problem !== 'string') throw new Error(`gave ${typeof problem}`);
      if (problem !== fn(sample))
        throw new Error(`gave ${JSON.stringify(problem)} where the runtime's gives another`);
    } catch (err) {
      throw new Error(`${what} does not run on its own (${err.message}): it must be self-contained`);
    }
  return source;
}

/**
 * The format rules every node shares (src/common/formats.ts: hosts, URLs, certificates, offsets,
 * paths, …), written once for the editor as resources/formats.js, which each node's HTML loads
 * after the editor module: the editor checks these formats with the code the runtime runs.
 */
function writeFormats() {
  if (!fs.existsSync(formatsSource)) throw new Error(`${formatsSource} is missing (run tsc first)`);
  const rules = Object.entries(require(formatsSource)).filter(([, fn]) => typeof fn === 'function');
  if (rules.length === 0) throw new Error('src/common/formats.ts exports no rule');
  const entries = rules.map(([name, fn]) => `    ${name}: ${selfContained(`formats.${name}`, fn)},`);
  fs.writeFileSync(
    formatsTarget,
    `// Generated by scripts/link-nodes.js from src/common/formats.ts: the runtime's own format rules,\n` +
      `// read by resources/editor.js (RecordersEditor.format). Node-RED may run this before or after it.\n` +
      `(function () {\n  'use strict';\n  if (window.RecordersFormats) return;\n` +
      `  window.RecordersFormats = Object.freeze({\n${entries.join('\n')}\n  });\n})();\n`,
  );
  return rules.length;
}

/** What the editor checks of each field: the table's own rules, so both sides agree. */
function editorRules(fields) {
  const keep = [
    'type',
    'label',
    'default',
    'min',
    'max',
    'integer',
    'choices',
    'maxLength',
    'required',
    'msg',
    'legacy',
    'groups',
    'uses',
    'suggestions',
    'parts',
  ];
  const out = {};
  for (const [name, spec] of Object.entries(fields)) {
    out[name] = {};
    for (const key of keep) if (spec[key] !== undefined) out[name][key] = spec[key];
  }
  return out;
}

/** The node's HTML with the runtime's defaults and rules (`fields`) registered right after the editor module. */
function editorHtml(type, html, fields) {
  if (!html.includes(EDITOR_MODULE)) throw new Error(`nodes/${type}/${type}.html must load ${EDITOR_MODULE}`);
  if (!fields) throw new Error(`${type}: the editor needs the runtime's field table`);
  // JSON is valid JavaScript; "<" is escaped so no value can close the script element.
  const json = (value) => JSON.stringify(value).replace(/</g, '\\u003c');
  const generated =
    `<script type="text/javascript">\n` +
    `  // Generated by scripts/link-nodes.js from nodes/${type}/fields.ts: the runtime's field table.\n` +
    `  window.RecordersEditor.registerFields(${JSON.stringify(type)}, ${json(fields.defaults)}, ${json(fields.rules)}, ${json(fields.credentials ?? {})}, ${json(fields.migrations ?? [])});\n` +
    `</script>`;
  return html.replace(EDITOR_MODULE, `${EDITOR_MODULE}\n${FORMATS_MODULE}\n${generated}`);
}

function main() {
  // Only what this step generates is laid anew: the compiled runtime folders are tsc's.
  for (const entry of fs.existsSync(target) ? fs.readdirSync(target, { withFileTypes: true }) : []) {
    if (entry.isFile() || entry.name === 'locales' || entry.name === 'icons')
      fs.rmSync(path.join(target, entry.name), { recursive: true, force: true });
  }
  fs.mkdirSync(target, { recursive: true });
  const formats = writeFormats();

  const types = fs
    .readdirSync(source, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'common')
    .map((d) => d.name)
    .sort();

  for (const type of types) {
    const runtime = path.join(target, type, 'index.js');
    if (!fs.existsSync(runtime)) throw new Error(`no compiled runtime for ${type}: ${runtime}`);
    fs.writeFileSync(
      path.join(target, `${type}.js`),
      `'use strict';\n// Generated by scripts/link-nodes.js: Node-RED's entry for the ${type} node.\nconst runtime = require('./${type}/index.js');\nmodule.exports = runtime.default ?? runtime;\n`,
    );
    const html = fs.readFileSync(path.join(source, type, `${type}.html`), 'utf8');
    fs.writeFileSync(path.join(target, `${type}.html`), editorHtml(type, html, runtimeFields(type)));
    const localeDir = path.join(source, type, 'locales');
    for (const lang of fs.existsSync(localeDir) ? fs.readdirSync(localeDir) : []) {
      const own = JSON.parse(fs.readFileSync(path.join(localeDir, lang, `${type}.json`), 'utf8'));
      const sharedFile = path.join(commonLocales, lang, 'recorders.json');
      const shared = fs.existsSync(sharedFile) ? JSON.parse(fs.readFileSync(sharedFile, 'utf8')) : {};
      fs.mkdirSync(path.join(target, 'locales', lang), { recursive: true });
      fs.writeFileSync(
        path.join(target, 'locales', lang, `${type}.json`),
        JSON.stringify({ ...shared, ...own }, null, 1),
      );
      // Help lives beside the catalog (Node-RED's convention: locales/<lang>/<node file>.html).
      const help = path.join(localeDir, lang, `${type}.html`);
      if (fs.existsSync(help)) fs.copyFileSync(help, path.join(target, 'locales', lang, `${type}.html`));
    }
    if (!fs.existsSync(path.join(localeDir, 'en-US', `${type}.html`)))
      throw new Error(`nodes/${type}/locales/en-US/${type}.html (the node's help) is missing`);
  }

  const icons = path.join(root, 'icons');
  if (fs.existsSync(icons)) fs.cpSync(icons, path.join(target, 'icons'), { recursive: true });

  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const declared = Object.keys(pkg['node-red'].nodes).sort();
  const expected = Object.fromEntries(types.map((t) => [t, `dist/nodes/${t}.js`]));
  const mismatch =
    declared.join() !== types.join() || types.some((t) => pkg['node-red'].nodes[t] !== expected[t]);
  if (mismatch) {
    throw new Error(
      `package.json "node-red".nodes must be ${JSON.stringify(expected)}, is ${JSON.stringify(pkg['node-red'].nodes)}`,
    );
  }
  console.log(
    `linked ${types.length} node types into dist/nodes; ${formats} format rules in resources/formats.js`,
  );
}

module.exports = { editorHtml, editorRules, EDITOR_MODULE, FORMATS_MODULE };

if (require.main === module) main();
