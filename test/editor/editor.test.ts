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
  startEditorSession,
  type EditorApi,
  type EditorSession,
} from './session';

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

  for (const type of TYPES) {
    it(`opens the ${type} edit dialog and help`, async () => {
      const { page } = session;
      const id = session.flows.find((n) => n.type === type)?.id;
      assert.ok(id, `an example uses ${type}`);
      await openDialog(page, id);
      await page.screenshot({ path: path.join(os.tmpdir(), `recorders-editor-${type}.png`) });
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
        const box = document.querySelector('.red-ui-sidebar-help-stack .red-ui-help') as HTMLElement | null;
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
