/**
 * One place for defaults: the build writes a node's field table (its runtime defaults and rules)
 * into the node's editor HTML, and the shared editor module makes them the node's editor defaults,
 * with the table's rules as validators, checked only where the table's `uses` (and the node's own
 * `shows`) say a field applies. A node has no defaults of its own. Checked without a browser: the
 * generated script runs in a VM against the real editor module and a small stand-in for jQuery.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { editorDefaults, field, type FieldTable } from '../../src/kit/fields';

const root = path.resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const linker = require(path.join(root, 'scripts', 'link-nodes.js')) as {
  editorHtml(type: string, html: string, fields?: { defaults: unknown; rules: unknown }): string;
  editorRules(table: FieldTable): Record<string, unknown>;
  EDITOR_MODULE: string;
};

type Validator = (this: unknown, v: unknown, opt?: Record<string, unknown>) => unknown;
type Defaults = Record<string, { value: unknown; required?: boolean; type?: string; validate?: Validator }>;
type Shows = Record<string, (node: Record<string, unknown>) => boolean>;
interface Module {
  registerFields(type: string, defaults: unknown, rules: unknown): void;
  defaults(type: string, checks: Record<string, Validator>, shows?: Shows, extra?: Defaults): Defaults;
}

/** The editor module in a fresh VM: enough of jQuery for what it does when it loads. */
function loadModule(): { context: vm.Context; module: Module } {
  const chain = { text: () => chain, appendTo: () => chain };
  const $ = Object.assign(() => chain, {
    extend: (target: Record<string, unknown>, ...sources: Array<Record<string, unknown>>) =>
      Object.assign(target, ...sources),
  });
  const context = vm.createContext({ $, jQuery: $ });
  context.window = context;
  vm.runInContext(fs.readFileSync(path.join(root, 'resources', 'editor.js'), 'utf8'), context);
  return { context, module: context.RecordersEditor as Module };
}

const TABLE: FieldTable = {
  server: field.node({ label: 'server', nodeType: 'motif-server' }),
  port: field.number({ label: 'port', default: 6083, min: 1, max: 65535, integer: true }),
  mode: field.text({ label: 'mode', default: 'latest', choices: ['latest', 'every'] }),
  camera: field.text({ label: 'camera', msg: 'camera', maxLength: 20 }),
  args: field.json({ label: 'arguments' }),
  note: field.text({ label: 'note', default: '</script><img src=x>' }),
  namespace: field.text({ label: 'namespace', required: true }),
  operation: field.text({
    label: 'operation',
    default: 'list',
    choices: ['list', 'open'],
    uses: { list: ['folder'], open: ['path'] },
  }),
  folder: field.text({ label: 'folder', maxLength: 5 }),
  path: field.text({ label: 'path', maxLength: 5 }),
  rows: field.list({ label: 'rows', start: [{ name: 'row1' }] }),
};

describe('editor defaults from the runtime field table', () => {
  const html = `${'<script src="resources/node-red-contrib-recorders/editor.js"></script>'}\n<script type="text/javascript">/* node */</script>`;

  it('refuses a node without a field table: the HTML has no defaults of its own', () => {
    assert.throws(() => linker.editorHtml('x-node', html, undefined), /field table/);
  });

  it('refuses a node HTML that does not load the editor module', () => {
    assert.throws(
      () => linker.editorHtml('x-node', '<script type="text/javascript"></script>', undefined),
      /must load/,
    );
  });

  it('writes the defaults and rules after the module, escaped so no value closes the script', () => {
    const out = linker.editorHtml('x-node', html, {
      defaults: editorDefaults(TABLE),
      rules: linker.editorRules(TABLE),
    });
    assert.ok(out.indexOf(linker.EDITOR_MODULE) < out.indexOf('registerFields'));
    assert.ok(out.indexOf('registerFields') < out.indexOf('/* node */'));
    assert.ok(!out.includes('</script><img'), 'a default cannot end the generated script');

    const { context, module } = loadModule();
    const generated = /<script type="text\/javascript">\n([\s\S]*?)<\/script>/.exec(out);
    assert.ok(generated);
    vm.runInContext(generated[1], context);
    const defaults = module.defaults(
      'x-node',
      { camera: (v) => v !== 'bad' },
      { path: (node) => node.locked !== true },
      { outputs: { value: 2 } },
    );
    // The table's values are the defaults; `extra` adds Node-RED properties that are not fields.
    assert.equal(defaults.port.value, 6083);
    assert.equal(defaults.mode.value, 'latest');
    assert.equal(defaults.note.value, '</script><img src=x>');
    assert.deepEqual(
      { value: defaults.server.value, type: defaults.server.type, required: defaults.server.required },
      { value: '', type: 'motif-server', required: true },
    );
    assert.equal(JSON.stringify(defaults.rows.value), '[{"name":"row1"}]', 'a new node starts with its rows');
    assert.equal(defaults.outputs.value, 2);
    assert.equal(defaults.namespace.required, true, 'a field the runtime requires is required');
    assert.equal(defaults.camera.required, undefined, 'a field a message may fill is not');

    // The table's rules check the fields that have no editor-only validator.
    const check = (name: string, v: unknown): unknown => defaults[name].validate?.call({}, v, {});
    assert.equal(check('port', 6083), true);
    assert.equal(check('port', '80'), true);
    assert.match(String(check('port', 99999)), /^port: a whole number from 1 to 65535/);
    assert.match(String(check('port', 'abc')), /^port: /);
    assert.equal(check('port', undefined), true, 'missing means the default');
    assert.equal(check('mode', 'every'), true);
    assert.match(String(check('mode', 'sometimes')), /^mode: one of latest, every/);
    assert.equal(check('args', ''), true);
    assert.match(String(check('args', '{"a":')), /^args: not valid JSON/);
    assert.match(String(check('args', '[1]')), /^args: a JSON object/);
    // A node's own check adds to the table's rule.
    assert.match(String(check('camera', 'x'.repeat(30))), /^camera: at most 20 characters/);
    assert.equal(check('camera', 'bad'), false);
    assert.equal(check('camera', 'FAKE0'), true);

    // A field is checked only where the chosen operation uses it (the table's `uses`) and the
    // node's own `shows` agrees; an operation from msg may use any.
    const on = (name: string, node: Record<string, unknown>, v: unknown): unknown =>
      defaults[name].validate?.call(node, v, {});
    assert.match(String(on('folder', { operation: 'list' }, 'too long')), /^folder: at most 5/);
    assert.equal(on('folder', { operation: 'open' }, 'too long'), true);
    assert.match(String(on('path', { operation: 'open' }, 'too long')), /^path: at most 5/);
    assert.equal(on('path', { operation: 'open', locked: true }, 'too long'), true);
    assert.match(String(on('path', { operation: '' }, 'too long')), /^path: at most 5/);
  });

  it('without a table there are no defaults: the module names the missing table', () => {
    const { module } = loadModule();
    assert.throws(() => module.defaults('y-node', {}), /y-node: no field table/);
  });
});
