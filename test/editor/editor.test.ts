/**
 * The editor as a user sees it: Node-RED with the package and every example deployed against the
 * simulators, driven by headless Chromium. Every node type of the package must open its edit
 * dialog and show its help (from the locale files) without a script error, with a palette label in
 * the help tree and no code running off the help's edge.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  root,
  STARTUP_MS,
  TYPES,
  closeDialogs,
  openDialog,
  pressDone,
  startEditorSession,
  type EditorApi,
  type EditorSession,
} from './session';
import * as formats from '../../src/common/formats';
import { FORMAT_SAMPLES, type Sample } from '../common/format-samples';

/** The first words of a node's help, as the help file (in its locale folder) has them. */
function firstParagraph(type: string): string {
  const file = path.join(root, 'nodes', type, 'locales', 'en-US', `${type}.html`);
  const html = fs.readFileSync(file, 'utf8');
  const match = /<p>([\s\S]*?)<\/p>/.exec(html);
  assert.ok(match, `${file} starts with a paragraph`);
  return match[1]
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 40);
}

describe('editor in a browser', function () {
  this.timeout(STARTUP_MS * 2);
  let session: EditorSession;

  before(async () => {
    session = await startEditorSession();
  });

  after(async () => {
    await session?.close();
  });

  it('loads every example tab without a script error', async () => {
    const types = await session.page.evaluate(() => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      const seen: string[] = [];
      RED.nodes.eachNode((n) => seen.push(n.type));
      RED.nodes.eachConfig((n) => seen.push(n.type));
      return seen;
    });
    const ours = session.flows.filter((n) => TYPES.includes(n.type)).length;
    assert.ok(ours > 10, `deployed nodes of ours: ${ours}`);
    for (const type of TYPES) assert.ok(types.includes(type), `the editor shows a ${type} node`);
    assert.deepEqual(session.pageErrors, []);
  });

  it('motif-action: operations are labelled once and every argument tip is a whole sentence', async () => {
    const { page } = session;
    const id = session.flows.find((n) => n.type === 'motif-action')?.id;
    assert.ok(id);
    await openDialog(page, id);
    const seen = await page.evaluate(() => {
      const select = document.querySelector('#node-input-operation') as HTMLSelectElement;
      const out: Array<{ label: string; tip: string }> = [];
      for (const option of Array.from(select.options)) {
        select.value = option.value;
        $(select).trigger('change');
        out.push({
          label: option.text,
          tip: document.querySelector('#motif-action-args-tip')?.textContent ?? '',
        });
      }
      return out;
    });
    await closeDialogs(page);
    assert.ok(seen.length >= 40, `the runtime's operations are listed (${seen.length})`);
    for (const { label, tip } of seen) {
      assert.doesNotMatch(label, /deprecated.*deprecated/i, `label "${label}"`);
      assert.doesNotMatch(tip, /[:;,]\s*$/, `the argument tip of "${label}" ends mid-sentence: "${tip}"`);
    }
    assert.ok(
      seen.some((s) => /deprecated/i.test(s.label)),
      'deprecated operations say so',
    );
  });

  it('recorder-schedule: every field of a schedule row is labelled and its hint fits', async () => {
    const { page } = session;
    const id = session.flows.find((n) => n.type === 'recorder-schedule')?.id;
    assert.ok(id);
    await openDialog(page, id);
    await page.waitForSelector('.rs-row .rs-tz');
    const rows = await page.evaluate(() => {
      const canvas = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
      return Array.from(document.querySelectorAll('.rs-row')).map((row) => {
        const unlabelled = Array.from(
          row.querySelectorAll('input.rs-name, input.rs-expression, input.rs-tz, input.rs-topic'),
        )
          .filter((input) => !(input.closest('label')?.textContent ?? '').trim())
          .map((input) => input.className);
        const tz = row.querySelector('input.rs-tz') as HTMLInputElement;
        const style = getComputedStyle(tz);
        canvas.font = `${style.fontSize} ${style.fontFamily}`;
        const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        return {
          unlabelled,
          placeholderFits: canvas.measureText(tz.placeholder).width <= tz.clientWidth - padding + 1,
        };
      });
    });
    await closeDialogs(page);
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.deepEqual(row.unlabelled, [], 'every field has a label');
      assert.ok(row.placeholderFits, 'the time-zone hint is not cut off');
    }
  });

  for (const [type, outputs] of [
    ['recorder-schedule', 2],
    ['motif-schedule', 1],
  ] as const) {
    it(`${type}: "leader topic" shows its fields, checks the topic and adds the leadership output`, async () => {
      const { page } = session;
      const id = session.flows.find((n) => n.type === type && n.role !== 'leader')?.id;
      assert.ok(id);
      const state = (): Promise<{ outputs: number; valid: boolean; errors: string[] }> =>
        page.evaluate((nodeId) => {
          const RED = (globalThis as unknown as { RED: EditorApi }).RED;
          const node = RED.nodes.node(nodeId) as unknown as {
            outputs: number;
            valid?: boolean;
            validationErrors?: string[];
          };
          RED.editor.validateNode(node);
          return {
            outputs: node.outputs,
            valid: node.valid !== false,
            errors: (node.validationErrors ?? []).map(String),
          };
        }, id);
      const edit = async (role: string, topic?: string): Promise<boolean> => {
        const prefix = await openDialog(page, id);
        const shown = await page.evaluate(
          ([r, t]) => {
            const $ = (
              globalThis as unknown as {
                $: (s: string) => {
                  val(v?: string): unknown;
                  trigger(e: string): void;
                  closest(s: string): { is(s: string): boolean };
                };
              }
            ).$;
            $('#node-input-role').val(r);
            $('#node-input-role').trigger('change');
            if (t !== undefined) $('#node-input-leaderTopic').val(t);
            return $('#node-input-leaderTopic').closest('.form-row').is(':visible');
          },
          [role, topic] as [string, string | undefined],
        );
        await pressDone(page, prefix);
        return shown;
      };
      assert.equal(await edit('leader', 'recorders/+/leader'), true, 'the leader topic row shows');
      const wrong = await state();
      assert.equal(wrong.outputs, outputs + 1, 'the leadership output is added after the others');
      assert.equal(wrong.valid, false);
      assert.match(wrong.errors.join(' '), /leaderTopic/);
      await edit('leader', 'recorders/rigs/rig-1/leader/x');
      assert.deepEqual(await state(), { outputs: outputs + 1, valid: true, errors: [] });
      assert.equal(await edit('active'), false, 'hidden again for another role');
      assert.equal((await state()).outputs, outputs);
    });
  }

  it("judges every shared format with the runtime's own rule, sent by the build", async () => {
    // As JSON text: the samples' recursive type is too deep for the page's argument types.
    const inEditor = await session.page.evaluate((json) => {
      const sets = JSON.parse(json) as Record<string, { accepts: unknown[]; refuses: unknown[] }>;
      const E = (
        globalThis as unknown as { RecordersEditor: { format(name: string): (v: unknown) => unknown } }
      ).RecordersEditor;
      const out: Record<string, unknown[]> = {};
      for (const name of Object.keys(sets))
        out[name] = [...sets[name].accepts, ...sets[name].refuses].map((v) => E.format(name)(v));
      return out;
    }, JSON.stringify(FORMAT_SAMPLES));
    const rules = formats as unknown as Record<string, (v: unknown) => string | null>;
    for (const [name, samples] of Object.entries(FORMAT_SAMPLES)) {
      const values: Sample[] = [...samples.accepts, ...samples.refuses];
      assert.deepEqual(
        inEditor[name],
        values.map((v) => rules[name](v)),
        `${name}: the editor's rule and the runtime's agree`,
      );
      assert.equal(
        inEditor[name].filter((p) => p === null).length,
        samples.accepts.length,
        `${name}: the editor accepts the accepted samples only`,
      );
    }
  });

  it("field checks say the runtime rule's reason, and leave ${ENV} and empty optional fields to the runtime", async () => {
    const seen = await session.page.evaluate(() => {
      const RED = (
        globalThis as unknown as {
          RED: {
            nodes: {
              getType(t: string): {
                defaults: Record<string, { validate?: (v: unknown, o?: object) => unknown }>;
                credentials?: Record<string, { validate?: (v: unknown, o?: object) => unknown }>;
              };
            };
          };
        }
      ).RED;
      const check = (type: string, field: string, value: unknown, node: object = {}): unknown =>
        RED.nodes.getType(type).defaults[field].validate?.call(node, value, {});
      const secret = (type: string, field: string, value: unknown): unknown =>
        RED.nodes.getType(type).credentials?.[field].validate?.call({}, value, {});
      return {
        offsetAmbiguous: check('remotive-playback', 'offset', '62.5', { operation: 'seek' }),
        offsetEnv: check('remotive-playback', 'offset', '${START}', { operation: 'seek' }),
        offsetEmpty: check('remotive-playback', 'offset', '', { operation: 'seek' }),
        urlPath: check('remotive-broker', 'url', 'http://broker/api'),
        urlUnderscore: check('remotive-broker', 'url', 'http://my_broker:50051'),
        endpointEnv: check('aivero-server', 'endpoint', '${AIVERO_URL}'),
        endpointQuery: check('aivero-server', 'endpoint', 'https://x/v1/graphql?a=1'),
        namespaceWithSpace: check('remotive-signals', 'namespace', 'Body Signals'),
        pathDotPart: check('remotive-playback', 'path', './drive/a.yaml', { operation: 'open' }),
        apiKeyStored: secret('motif-server', 'apiKey', '__PWRD__'),
        apiKeyCyrillic: secret('motif-server', 'apiKey', 'ключ'),
        headerNumber: secret('aivero-server', 'extraHeaders', '{"X-Trace": 7}'),
        headerReserved: secret('aivero-server', 'extraHeaders', '{"Host": "h"}'),
      };
    });
    assert.match(String(seen.offsetAmbiguous), /offset: the offset "62\.5" is ambiguous/);
    assert.equal(seen.offsetEnv, true);
    assert.equal(seen.offsetEmpty, true);
    assert.match(String(seen.urlPath), /^url: .*no path/);
    assert.equal(seen.urlUnderscore, true, 'a host name with "_" works at run time');
    assert.equal(seen.endpointEnv, true);
    assert.match(String(seen.endpointQuery), /query or fragment/);
    assert.equal(seen.namespaceWithSpace, true, 'a namespace with a space works at run time');
    assert.equal(seen.pathDotPart, true, 'a "./" path works at run time');
    assert.equal(seen.apiKeyStored, true);
    assert.match(String(seen.apiKeyCyrillic), /printable ASCII/);
    assert.equal(seen.headerNumber, true, 'a number header value works at run time');
    assert.match(String(seen.headerReserved), /set by the client itself/);
  });

  it('config nodes with bad fields are invalid in the editor, and say which field', async () => {
    const cases: Array<{ node: Record<string, unknown>; fields: string[] }> = [
      {
        node: { type: 'motif-server', host: 'https://motif', port: 6083, tlsMode: 'fingerprint' },
        fields: ['host'],
      },
      {
        node: { type: 'motif-server', host: 'motif pc', port: 6083, tlsMode: 'fingerprint' },
        fields: ['host'],
      },
      {
        node: { type: 'motif-server', host: 'motif', port: 99999, tlsMode: 'fingerprint' },
        fields: ['port'],
      },
      {
        node: {
          type: 'motif-server',
          host: 'motif',
          port: 6083,
          tlsMode: 'fingerprint',
          fingerprint: 'zz:11',
        },
        fields: ['fingerprint'],
      },
      {
        node: { type: 'motif-server', host: 'motif', port: 6083, tlsMode: 'ca', ca: 'not a pem' },
        fields: ['ca'],
      },
      { node: { type: 'motif-server', host: 'motif', port: 6083, timeout: -1 }, fields: ['timeout'] },
      // A CA typed while in fingerprint mode is hidden: not checked.
      {
        node: {
          type: 'motif-server',
          host: '10.1.2.3',
          port: '6083',
          tlsMode: 'fingerprint',
          ca: 'not a pem',
        },
        fields: [],
      },
      { node: { type: 'motif-server', host: '${MOTIF_HOST}', port: 6083, tlsMode: 'insecure' }, fields: [] },
      { node: { type: 'remotive-broker', url: 'ftp://broker' }, fields: ['url'] },
      { node: { type: 'remotive-broker', url: 'http://broker:50051/path' }, fields: ['url'] },
      { node: { type: 'remotive-broker', url: 'http://broker:70000' }, fields: ['url'] },
      { node: { type: 'remotive-broker', url: 'https://cloud.example', ca: 'nope' }, fields: ['ca'] },
      { node: { type: 'remotive-broker', url: 'https://cloud.example:443', ca: '' }, fields: [] },
      { node: { type: 'motif-stream', mode: 'nth', every: 0, queue: 8, stallTimeout: 5 }, fields: ['every'] },
      { node: { type: 'motif-stream', mode: 'latest', every: 0, queue: 8, stallTimeout: 5 }, fields: [] },
      { node: { type: 'remotive-playback', operation: 'seek', offset: '62.5' }, fields: ['offset'] },
      { node: { type: 'remotive-playback', operation: 'list', offset: '62.5' }, fields: [] },
      { node: { type: 'motif-action', operation: 'version', args: '' }, fields: [] },
      {
        node: { type: 'motif-action', operation: 'camera/<serial>/recording/start', args: '{"duration":' },
        fields: ['args'],
      },
      {
        node: { type: 'motif-action', operation: 'camera/<serial>/recording/start', camera: '..' },
        fields: ['camera'],
      },
    ];
    const results = await session.page.evaluate((list) => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      return list.map(({ node }) => {
        const id = RED.nodes.id();
        const user = !['motif-server', 'remotive-broker'].includes(String(node.type));
        const reference =
          node.type === 'remotive-playback'
            ? { broker: 'sim-remotive-broker' }
            : { server: 'sim-motif-server' };
        RED.nodes.import([
          {
            ...node,
            id,
            ...(user ? { z: RED.workspaces.active(), x: 50, y: 50, wires: [[]], ...reference } : {}),
          },
        ]);
        const created = RED.nodes.node(id);
        if (!created) return ['not imported'];
        RED.editor.validateNode(created);
        return (created.validationErrors ?? []).map(String);
      });
    }, cases);
    cases.forEach((c, i) => {
      const failed = results[i].map((e) => e.split(':')[0]);
      assert.deepEqual(failed, c.fields, `${JSON.stringify(c.node)}: ${results[i].join('; ')}`);
    });
  });

  for (const type of TYPES) {
    it(`opens the ${type} edit dialog and help`, async () => {
      const { page } = session;
      const id = session.flows.find((n) => n.type === type)?.id;
      assert.ok(id, `an example uses ${type}`);
      await openDialog(page, id);
      await page.screenshot({ path: path.join(os.tmpdir(), `recorders-editor-${type}.png`) });
      // Lists (schedules, tasks) scroll inside their box instead of running over the form.
      const overflowing = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.red-ui-tray .red-ui-editableList-container'))
          .filter((box) => {
            const style = getComputedStyle(box);
            const scrolls = style.overflowY === 'auto' || style.overflowY === 'scroll';
            return !scrolls && box.scrollHeight > box.clientHeight + 1;
          })
          .map((box) => box.parentElement?.className ?? ''),
      );
      assert.deepEqual(overflowing, [], `no list of the ${type} dialog runs over the form`);
      await closeDialogs(page);
      await page.evaluate(
        (t) => (globalThis as unknown as { RED: EditorApi }).RED.sidebar.help.show(t),
        type,
      );
      // The help shown is this type's, from its locale file: its first paragraph is there.
      const opening = firstParagraph(type);
      await page.waitForFunction((words) => {
        const box = document.querySelector('.red-ui-sidebar-help-stack .red-ui-help');
        return (box?.textContent ?? '').replace(/\s+/g, ' ').includes(words);
      }, opening);
      const help = await page.evaluate((t) => {
        const box = document.querySelector<HTMLElement>('.red-ui-sidebar-help-stack .red-ui-help');
        const clipped: string[] = [];
        if (box) {
          const right = box.getBoundingClientRect().right;
          box.querySelectorAll('code, dt, pre').forEach((el) => {
            if (el.getBoundingClientRect().right > right + 1)
              clipped.push((el.textContent ?? '').slice(0, 60));
          });
        }
        // The help tree names our nodes by their palette labels, never by type name.
        const tree = Array.from(document.querySelectorAll('.red-ui-sidebar-help-toc .red-ui-treeList-label'))
          .map((e) => (e.textContent ?? '').trim())
          .filter((label) => label === t);
        return { text: box?.innerText ?? '', clipped, typeNamesInTree: tree };
      }, type);
      assert.ok(help.text.length > 100, `${type} has help text (${help.text.length} characters)`);
      assert.deepEqual(help.clipped, [], `no help code of ${type} runs off the right edge`);
      assert.deepEqual(help.typeNamesInTree, [], `the help tree shows a label for ${type}`);
      assert.deepEqual(session.pageErrors, [], `no script error while editing ${type}`);
    });
  }
});
