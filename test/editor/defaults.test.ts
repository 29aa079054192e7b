/**
 * One place for defaults: the build writes a node's field table (its runtime defaults and rules)
 * into the node's editor HTML, and the shared editor module makes them the node's editor defaults,
 * with the table's rules as validators. Checked without a browser: the generated script runs in a
 * VM against the real editor module and a small stand-in for jQuery.
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
interface Module {
  registerFields(type: string, defaults: unknown, rules: unknown): void;
  defaults(type: string, editorOnly: Record<string, { validate?: Validator }>, fallback: Defaults): Defaults;
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
};

describe('editor defaults from the runtime field table', () => {
  const html = `${'<script src="resources/node-red-contrib-recorders/editor.js"></script>'}\n<script type="text/javascript">/* node */</script>`;

  it('leaves a node without a field table as its HTML has it', () => {
    assert.equal(linker.editorHtml('x-node', html, undefined), html);
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
      { camera: { validate: (v) => v !== 'bad' } },
      { port: { value: 1234 }, name: { value: '' }, mode: { value: 'every' } },
    );
    // The table's values win over the HTML fallback; fallback-only fields stay.
    assert.equal(defaults.port.value, 6083);
    assert.equal(defaults.mode.value, 'latest');
    assert.equal(defaults.note.value, '</script><img src=x>');
    assert.deepEqual(
      { value: defaults.server.value, type: defaults.server.type, required: defaults.server.required },
      { value: '', type: 'motif-server', required: true },
    );
    assert.equal(defaults.name.value, '');
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
    // An editor-only validator takes the field over.
    assert.equal(check('camera', 'x'.repeat(30)), true);
    assert.equal(check('camera', 'bad'), false);
  });

  it('without a table, the HTML defaults are the defaults', () => {
    const { module } = loadModule();
    const defaults = module.defaults('y-node', {}, { port: { value: 1234 } });
    assert.equal(defaults.port.value, 1234);
    assert.equal(defaults.port.validate, undefined);
  });
});
