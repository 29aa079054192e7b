/**
 * The editor round-trip guarantee: opening a node's dialog and pressing Done changes nothing in the
 * exported flow and leaves the node valid — for every node of every example file, the dashboard
 * pages included, both as the file has it (imported, older forms included: every example imports
 * valid) and as deployed through the runtime (the flows Node-RED was started with, read back by
 * the editor, config nodes pointing at the simulators); and for a freshly dropped node of each type.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { listExamples } from '../../src/devtools/flows';
import {
  root,
  STARTUP_MS,
  TYPES,
  openDialog,
  preparedCount,
  pressDone,
  waitPrepared,
  startEditorSession,
  type EditorApi,
  type EditorNode,
  type EditorSession,
} from './session';

interface Snapshot {
  /** The whole flow as Node-RED would export it (no credentials). */
  flow: string;
  /** The node itself as exported. */
  node: Record<string, unknown> | null;
  valid: boolean;
  errors: string[];
}

/**
 * The node as exported, and whether it is valid: as Done left it (`revalidate` false: Done itself
 * validated it, with the dialog's fields present), or validated now.
 */
function snapshot(page: Page, id: string, revalidate = true): Promise<Snapshot> {
  return page.evaluate(
    ([nodeId, again]) => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      const node = RED.nodes.node(nodeId);
      const flow = JSON.stringify(RED.nodes.createCompleteNodeSet({ credentials: false }));
      if (!node) return { flow, node: null, valid: false, errors: ['missing'] };
      if (again) RED.editor.validateNode(node);
      return {
        flow,
        node: RED.nodes.convertNode(node, { credentials: false }),
        valid: node.valid !== false,
        errors: (node.validationErrors ?? []).map(String),
      };
    },
    [id, revalidate] as [string, boolean],
  );
}

/** Opens the node, presses Done, and says what changed. */
async function roundTrip(page: Page, id: string): Promise<{ before: Snapshot; after: Snapshot }> {
  const before = await snapshot(page, id);
  const prefix = await openDialog(page, id);
  await pressDone(page, prefix);
  const after = await snapshot(page, id, false);
  return { before, after };
}

function assertUnchanged(what: string, before: Snapshot, after: Snapshot): void {
  assert.deepEqual(after.node, before.node, `${what}: open + Done changed the node`);
  assert.ok(after.flow === before.flow, `${what}: open + Done changed the exported flow`);
  assert.ok(after.valid, `${what} is invalid after Done: ${after.errors.join('; ')}`);
}

/** The label of an example file's tab (each example is one tab). */
function tabLabel(file: string): string {
  const nodes = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<{ type: string; label?: string }>;
  const tabs = nodes.filter((n) => n.type === 'tab');
  assert.equal(tabs.length, 1, `${file} is one tab`);
  return String(tabs[0].label);
}

/** Our nodes on the deployed tab `tab`, and the config nodes they point at (first). */
function deployedNodes(page: Page, tab: string): Promise<Array<{ id: string; type: string }>> {
  return page.evaluate(
    ([z, types]) => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      const found: Array<{ id: string; type: string }> = [];
      const configs = new Set<string>();
      RED.nodes.eachNode((n) => {
        if (n.z !== z || !types.includes(n.type)) return;
        found.push({ id: n.id, type: n.type });
        for (const ref of [n.server, n.broker]) if (typeof ref === 'string' && ref) configs.add(ref);
      });
      for (const id of configs) {
        const config = RED.nodes.node(id);
        if (config) found.unshift({ id, type: config.type });
      }
      return found;
    },
    [tab, TYPES] as [string, string[]],
  );
}

/** Imports one example as its file has it (new ids, its own tab); returns the ids of our nodes. */
async function importExample(page: Page, file: string): Promise<Array<{ id: string; type: string }>> {
  const nodes = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown[];
  return page.evaluate(
    ([flow, types]) => {
      const RED = (globalThis as unknown as { RED: EditorApi }).RED;
      const known = new Set<string>();
      RED.nodes.eachNode((n) => known.add(n.id));
      RED.nodes.eachConfig((n) => known.add(n.id));
      RED.nodes.import(flow, { generateIds: true, addFlow: true });
      const added: Array<{ id: string; type: string }> = [];
      const collect = (n: EditorNode): void => {
        if (!known.has(n.id) && types.includes(n.type)) added.push({ id: n.id, type: n.type });
      };
      RED.nodes.eachConfig(collect);
      RED.nodes.eachNode(collect);
      return added;
    },
    [nodes, TYPES] as [unknown[], string[]],
  );
}

/** What a user types into a new node besides choosing its config node (which has no default). */
const TYPED: Record<string, Record<string, string>> = {
  'remotive-signals': { namespace: 'chassis', signals: 'Speed' },
};

/**
 * The config node each reference of a node points at: the session's deployed one of that type
 * (`sim-<type>`), as a user picks it in the dialog.
 */
function references(page: Page, type: string): Promise<Record<string, string>> {
  return page.evaluate((t) => {
    const RED = (globalThis as unknown as { RED: EditorApi }).RED;
    const def = RED.nodes.getType(t) as { defaults?: Record<string, { type?: string }> };
    const out: Record<string, string> = {};
    for (const [name, spec] of Object.entries(def.defaults ?? {})) {
      if (!spec.type) continue;
      const preferred = RED.nodes.node(`sim-${spec.type}`);
      let found = preferred ? preferred.id : '';
      if (!found)
        RED.nodes.eachConfig((n) => {
          if (!found && n.type === spec.type) found = n.id;
        });
      if (found) out[name] = found;
    }
    return out;
  }, type);
}

describe('editor round trip: open + Done changes nothing', function () {
  this.timeout(STARTUP_MS * 3);
  let session: EditorSession;

  before(async () => {
    session = await startEditorSession({ dashboard: true });
  });

  after(async () => {
    await session?.close();
  });

  afterEach(() => {
    assert.deepEqual(session.pageErrors, [], 'no script error in the editor');
  });

  const examples = listExamples(path.join(root, 'examples'), true);
  for (const file of examples) {
    const name = path.relative(path.join(root, 'examples'), file);
    it(`every node of "${name}", as imported`, async () => {
      const ours = await importExample(session.page, file);
      assert.ok(ours.length > 0, `${name} uses nodes of the package`);
      for (const { id, type } of ours) {
        const { before, after } = await roundTrip(session.page, id);
        const what = `${type} ${String(before.node?.name || id)} of ${name}`;
        assert.ok(before.valid, `${what} imports invalid: ${before.errors.join('; ')}`);
        assertUnchanged(what, before, after);
      }
    });
  }

  for (const file of examples) {
    const name = path.relative(path.join(root, 'examples'), file);
    it(`every node of "${name}", as deployed through the runtime`, async () => {
      const label = tabLabel(file);
      const tab = session.flows.find((n) => n.type === 'tab' && n.label === label);
      assert.ok(tab, `the tab "${label}" of ${name} is deployed`);
      const ours = await deployedNodes(session.page, tab.id);
      assert.ok(ours.length > 0, `${name} is deployed with nodes of the package`);
      for (const { id, type } of ours) {
        const { before, after } = await roundTrip(session.page, id);
        const what = `deployed ${type} ${String(before.node?.name || id)} of ${name}`;
        assert.ok(before.valid, `${what} is invalid: ${before.errors.join('; ')}`);
        assertUnchanged(what, before, after);
      }
    });
  }

  it('the deployed config nodes (pointing at the simulators)', async () => {
    const configs = session.flows.filter((n) => n.type === 'motif-server' || n.type === 'remotive-broker');
    assert.ok(configs.length >= 2, 'a motif-server and a remotive-broker are deployed');
    for (const { id, type } of configs) {
      const { before, after } = await roundTrip(session.page, id);
      assertUnchanged(`deployed ${type}`, before, after);
    }
  });

  for (const type of TYPES) {
    it(`a ${type} saved with no properties at all (an older version) stays as it was`, async () => {
      const { page } = session;
      const id = await page.evaluate(
        ([t, fill]) => {
          const RED = (globalThis as unknown as { RED: EditorApi }).RED;
          const config = (RED.nodes.getType(t) as { category?: string }).category === 'config';
          const nodeId = RED.nodes.id();
          const bare: Record<string, unknown> = config
            ? { id: nodeId, type: t }
            : { id: nodeId, type: t, z: RED.workspaces.active(), x: 300, y: 300, wires: [], ...fill };
          RED.nodes.import([bare]);
          return nodeId;
        },
        [type, await references(page, type)] as [string, Record<string, string>],
      );
      const { before, after } = await roundTrip(page, id);
      assert.deepEqual(after.node, before.node, `${type}: open + Done changed the node`);
      assert.ok(after.flow === before.flow, `${type}: open + Done changed the exported flow`);
    });
  }

  // Versioned configurations: the editor applies the runtime's migration steps (src/kit/migrations.ts).
  it("an older remotive-signals (signals saved as a list) opens in today's shape; Done saves it so, with its version", async () => {
    const { page } = session;
    const id = await page.evaluate(
      ([fill]) => {
        const RED = (globalThis as unknown as { RED: EditorApi }).RED;
        const nodeId = RED.nodes.id();
        RED.nodes.import([
          {
            id: nodeId,
            type: 'remotive-signals',
            z: RED.workspaces.active(),
            x: 300,
            y: 380,
            wires: [[], []],
            namespace: 'chassis',
            signals: ['Speed', 'SteeringAngle'],
            ...fill,
          },
        ]);
        return nodeId;
      },
      [await references(page, 'remotive-signals')] as [Record<string, string>],
    );
    const { after } = await roundTrip(page, id);
    assert.equal(after.node?.signals, 'Speed\nSteeringAngle', 'the list became one text, a name per line');
    assert.equal(after.node?.configVersion, 2, 'Done records the version the node was brought to');
    assert.ok(after.valid, `valid after Done: ${after.errors.join('; ')}`);
    // And a second open + Done changes nothing more.
    const again = await roundTrip(page, id);
    assertUnchanged('a migrated remotive-signals', again.before, again.after);
  });

  for (const type of TYPES) {
    it(`a freshly dropped ${type} is valid, and open + Done changes nothing`, async () => {
      const { page } = session;
      const config = await page.evaluate((t) => {
        const RED = (globalThis as unknown as { RED: EditorApi }).RED;
        return (RED.nodes.getType(t) as { category?: string }).category === 'config';
      }, type);
      let id: string;
      if (config) {
        // What a user does: "Add new <type>…" in a config select, then Add.
        const known = await page.evaluate(() => {
          const ids: string[] = [];
          (globalThis as unknown as { RED: EditorApi }).RED.nodes.eachConfig((n) => ids.push(n.id));
          return ids;
        });
        const built = await preparedCount(page);
        await page.evaluate(
          (t) => (globalThis as unknown as { RED: EditorApi }).RED.editor.editConfig('', t, '_ADD_'),
          type,
        );
        await page.waitForSelector('#node-config-dialog-ok:visible');
        await waitPrepared(page, built);
        await pressDone(page, 'node-config-input');
        id = await page.evaluate(
          ([t, before]) => {
            let found = '';
            (globalThis as unknown as { RED: EditorApi }).RED.nodes.eachConfig((n) => {
              if (n.type === t && !before.includes(n.id)) found = n.id;
            });
            return found;
          },
          [type, known] as [string, string[]],
        );
        assert.ok(id, `a new ${type} was added`);
        const fresh = await snapshot(page, id);
        assert.ok(fresh.valid, `a new ${type} is valid: ${fresh.errors.join('; ')}`);
      } else {
        // Dropped from the palette onto the active tab: its defaults, nothing else; then the user
        // fills in what has no default (which server; for signals, which ones).
        const required = { ...(await references(page, type)), ...(TYPED[type] ?? {}) };
        id = await page.evaluate(
          ([t, fill]) => {
            const RED = (globalThis as unknown as { RED: EditorApi }).RED;
            const created = RED.view.createNode(t, 100, 100);
            RED.nodes.add(created.node);
            Object.assign(created.node, fill);
            return created.node.id;
          },
          [type, required] as [string, Record<string, string>],
        );
        const first = await roundTrip(page, id);
        assert.ok(first.after.valid, `a new ${type} is valid after Done: ${first.after.errors.join('; ')}`);
        const changed = Object.keys({ ...first.before.node, ...first.after.node }).filter(
          (k) => JSON.stringify(first.before.node?.[k]) !== JSON.stringify(first.after.node?.[k]),
        );
        // Placing a dropped node may move it onto the grid; its configuration does not change.
        assert.deepEqual(
          changed.filter((k) => k !== 'x' && k !== 'y'),
          [],
          `the first Done on a new ${type} changed its configuration`,
        );
      }
      const { before, after } = await roundTrip(page, id);
      assertUnchanged(`a new ${type}`, before, after);
    });
  }
});
