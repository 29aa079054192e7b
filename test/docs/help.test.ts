/**
 * The help is the one source of a node's documentation. Every node type the package registers
 * (package.json's node-red map) has a help file in its locale folder that documents, under
 * Inputs, each msg property its field table reads (a field with `msg` in the compiled
 * nodes/<type>/fields.js), and for a stream node `msg.action` and both outputs. README.md links
 * every node's help instead of repeating it: no "### <type>" section.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  'node-red': { nodes: Record<string, string> };
};
const TYPES = Object.keys(pkg['node-red'].nodes);

/** Where a node's help lives, relative to the repository (and to README.md). */
function helpPath(type: string): string {
  return `nodes/${type}/locales/en-US/${type}.html`;
}

/** The msg properties a node's field table reads: every field with a `msg`. */
function tableProperties(type: string): string[] {
  const file = path.join(root, 'dist', 'nodes', type, 'fields.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { FIELDS } = require(file) as { FIELDS: Record<string, { msg?: string }> };
  assert.ok(FIELDS, `${file} exports FIELDS`);
  return [...new Set(Object.values(FIELDS).flatMap((spec) => (spec.msg ? [spec.msg] : [])))];
}

/** Whether the node is defined as a stream node (control input, answers on output 2). */
function isStreamNode(type: string): boolean {
  const source = fs.readFileSync(path.join(root, 'nodes', type, 'index.ts'), 'utf8');
  return /\bdefineStreamNode\s*[<(]/.test(source);
}

/** The part of the help under `<h3>heading</h3>`, up to the next heading. */
function section(html: string, heading: string): string | undefined {
  const start = html.indexOf(`<h3>${heading}</h3>`);
  if (start < 0) return undefined;
  const rest = html.slice(start + heading.length + 9);
  const end = rest.search(/<h3>|<\/script>/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The property names of the `<dt>` entries of a help section (`start, end` names two). */
function documented(part: string): Set<string> {
  const names = new Set<string>();
  for (const match of part.matchAll(/<dt\b[^>]*>([\s\S]*?)<\/dt>/g)) {
    const text = match[1]
      .replace(/<span class="property-type">[\s\S]*?<\/span>/g, '')
      .replace(/<[^>]+>/g, '')
      .trim();
    for (const name of text.split(/[,\s]+/)) if (name) names.add(name.replace(/^msg\./, ''));
  }
  return names;
}

describe('node help and README', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

  it('finds the node types, their tables and the stream nodes in the real files', () => {
    assert.equal(TYPES.length, 14, TYPES.join(', '));
    assert.deepEqual(tableProperties('motif-action').sort(), [
      'camera',
      'ioPort',
      'ioSerial',
      'operation',
      'output',
      'parameter',
      'task',
    ]);
    assert.deepEqual(TYPES.filter(isStreamNode).sort(), [
      'aivero-watch',
      'motif-stream',
      'remotive-signals',
      'remotive-status',
    ]);
    // The parser sees what a help entry names, and nothing of its type or text.
    assert.deepEqual(
      [
        ...documented(
          '<dt class="optional">start, end <span class="property-type">number | string</span></dt>',
        ),
      ],
      ['start', 'end'],
    );
  });

  for (const type of TYPES) {
    it(`${type}: its help documents every msg property it reads`, () => {
      const file = path.join(root, helpPath(type));
      assert.ok(fs.existsSync(file), `${helpPath(type)} exists`);
      const html = fs.readFileSync(file, 'utf8');
      assert.match(html, new RegExp(`data-help-name="${type}"`), `${helpPath(type)} is the help of ${type}`);
      assert.match(html, /^<script[^>]*>\s*<p>/, `${helpPath(type)} starts with a summary paragraph`);

      const wanted = tableProperties(type);
      const stream = isStreamNode(type);
      if (stream) wanted.push('action');
      if (wanted.length === 0) return;
      const inputs = section(html, 'Inputs');
      assert.ok(inputs !== undefined, `${helpPath(type)} has an Inputs section`);
      const have = documented(inputs);
      const missing = wanted.filter((name) => !have.has(name));
      assert.deepEqual(missing, [], `${helpPath(type)} documents under Inputs: msg.${wanted.join(', msg.')}`);

      if (stream) {
        const outputs = section(html, 'Outputs') ?? '';
        const ports = outputs.match(/<ol class="node-ports">([\s\S]*)<\/ol>/)?.[1] ?? '';
        const count = ports.match(/<li>/g)?.length ?? 0;
        assert.equal(count, 2, `${helpPath(type)} documents both outputs (the data, the control answers)`);
        assert.match(ports, /\{action, state\}/, `${helpPath(type)} documents the answer on output 2`);
      }
    });
  }

  it('README.md links every node help', () => {
    const unlinked = TYPES.filter((type) => !readme.includes(`](${helpPath(type)})`));
    assert.deepEqual(unlinked, [], 'README.md links nodes/<type>/locales/en-US/<type>.html of these');
  });

  it('README.md repeats no node help in a section of its own', () => {
    const repeated = TYPES.filter((type) =>
      new RegExp(`^#{3,}\\s+\`?${type}\`?(?![\\w-])`, 'm').test(readme),
    );
    assert.deepEqual(repeated, [], 'README.md has no "### <type>" section: the help is the documentation');
  });
});
