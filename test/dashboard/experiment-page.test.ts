/**
 * The Experiment page as a user drives it in headless Chromium, against the demo (`npm start`'s
 * flows and simulators): Start, Mark with a label and Stop reach every simulated system through the
 * recorder-experiment node, the page shows the state, the systems with their clocks, the marks and
 * the manifest, a second Start does nothing twice, and the systems table's detail column is whole.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openDashboard, type DashboardBrowser } from './browser';
import type { Demo } from './demo';

interface Manifest {
  experiment: { id: string; name: string };
  state: string;
  spreadMs: number;
  systems: Array<{
    kind: string;
    status: string;
    cameras?: Array<{ serial: string; filename: string }>;
    sessionId?: string;
    path?: string;
    start: { acknowledgedAt: string } | null;
    clock: { offsetMs: number | null; uncertaintyMs: number | null };
  }>;
  marks: Array<{ label: string }>;
}

describe('Experiment page in a browser', function () {
  this.timeout(120_000);
  let ui: DashboardBrowser;
  let demo: Demo;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    ui = await openDashboard();
    ({ demo, page, pageErrors } = ui);
  });

  after(async () => {
    await ui?.close();
  });

  async function type(id: string, text: string): Promise<void> {
    const input = page.locator(`[id$="${id}"] input`);
    await input.fill(text);
    await input.press('Enter');
  }

  it('deploys without creating an Aivero session (one is created per experiment)', async () => {
    await page.goto(`${demo.url}/dashboard/experiment`);
    await page.getByText('Start experiment', { exact: true }).first().waitFor({ timeout: 20_000 });
    await page.getByText('no experiment yet: its manifest shows here').waitFor();
    const sessions = await demo.dashboard.aivero.query(
      "SELECT name FROM recording_sessions WHERE name LIKE 'experiment%'",
    );
    assert.deepEqual(sessions, []);
  });

  it('starts every system, marks with the typed label and stops them, showing state, systems, marks and the manifest', async () => {
    const { motif, remotive, aivero } = demo.dashboard;
    const cameras = [...motif.state.cameras.values()];
    await type('lab-exp-name', 'trial <1>');
    await type('lab-exp-label', 'stimulus on');
    const state = page.locator('[id$="lab-exp-state"] .nrdb-ui-text-value');

    await page.getByRole('button', { name: 'Start experiment' }).click();
    await state
      .filter({ hasText: /^running · trial <1> \(\d{8}-\d{6}-[0-9a-f]+\) · spread \d+\.\d ms/ })
      .waitFor({
        timeout: 20_000,
      });
    const id = /\((\d{8}-\d{6}-[0-9a-f]+)\)/.exec(await state.innerText())?.[1];
    assert.ok(id, 'the experiment id is shown');
    assert.ok(
      cameras.every((c) => c.recording.status !== 'idle'),
      'every camera records',
    );
    assert.ok(
      cameras.every((c) => c.recording.metadata.experiment === id),
      'the id in the recordings',
    );
    assert.ok(
      remotive.state.sessions.some((s) => s.path.includes('highway') && s.mode === 'PLAYBACK_PLAYING'),
    );
    const started = (await aivero.query('SELECT state FROM recording_sessions WHERE name = $1', [
      `experiment ${id}`,
    ])) as Array<{ state: string }>;
    assert.deepEqual(
      started.map((s) => s.state),
      ['Started'],
    );

    // A second start while it runs starts nothing twice.
    const filenames = cameras.map((c) => c.recording.filename);
    await page.getByRole('button', { name: 'Start experiment' }).click();
    await state.filter({ hasText: /nothing done twice$/ }).waitFor({ timeout: 10_000 });
    assert.deepEqual(
      cameras.map((c) => c.recording.filename),
      filenames,
      'the same recordings go on',
    );

    await page.getByRole('button', { name: 'Mark', exact: true }).click();
    const marks = page.locator('[id$="lab-exp-marks"] tbody tr');
    await marks.filter({ hasText: 'stimulus on' }).waitFor({ timeout: 10_000 });
    const markCells = await marks.filter({ hasText: 'stimulus on' }).locator('td').allInnerTexts();
    assert.match(markCells.join(' | '), /LAB0 frame \d+, LAB1 frame \d+/, 'frame numbers motif answered');
    // The marker is in every motif recording, with the experiment id and the label.
    for (const camera of cameras) {
      const entries = motif.extraData(String(camera.recording.filename)).extra_data;
      assert.ok(
        entries.some((e) => e.values.experiment === id && e.values.label === 'stimulus on'),
        `${camera.serial}: ${JSON.stringify(entries)}`,
      );
    }

    await page.getByRole('button', { name: 'Stop experiment' }).click();
    await state
      .filter({ hasText: /^stopped · trial <1> .* · spread \d+\.\d ms · clock ±\d+\.\d ms$/ })
      .waitFor({ timeout: 20_000 });
    assert.ok(
      cameras.every((c) => c.recording.status === 'idle'),
      'every camera stopped',
    );

    // The manifest, shown whole as JSON text.
    const view = page.locator('[id$="lab-exp-view"]');
    await view.getByText(`trial <1> (${id}): stopped`).waitFor({ timeout: 10_000 });
    const manifest = JSON.parse(await view.locator('pre').innerText()) as Manifest;
    assert.deepEqual(manifest.experiment, { id, name: 'trial <1>' });
    assert.equal(manifest.state, 'stopped');
    assert.deepEqual(
      manifest.systems.map((s) => [s.kind, s.status]),
      [
        ['motif', 'stopped'],
        ['aivero', 'stopped'],
        ['remotive', 'stopped'],
      ],
    );
    assert.deepEqual(manifest.systems[0].cameras?.map((c) => c.serial).sort(), ['LAB0', 'LAB1']);
    assert.ok(manifest.systems.every((s) => s.start !== null && typeof s.clock.offsetMs === 'number'));
    assert.deepEqual(
      manifest.marks.map((m) => m.label),
      ['stimulus on'],
    );

    // The systems table: one row per system, with its clock and what it recorded.
    const rows = page.locator('[id$="lab-exp-table"] tbody tr');
    await rows
      .filter({ hasText: 'remotive 3' })
      .filter({ hasText: /stopped/ })
      .waitFor({ timeout: 10_000 });
    const table: string[][] = [];
    for (const row of await rows.all()) table.push(await row.locator('td').allInnerTexts());
    assert.deepEqual(
      table.map((r) => [r[0].trim(), r[1].trim()]),
      [
        ['motif 1', 'stopped'],
        ['aivero 2', 'stopped'],
        ['remotive 3', 'stopped'],
      ],
    );
    for (const r of table) assert.match(r[3].trim(), /^-?\d+\.\d ± \d+\.\d$/, `clock of ${r[0]}`);
    assert.match(table[0][5], /LAB0 → recording_LAB0\./);
    assert.match(table[1][5], new RegExp(`^experiment ${id} \\([0-9a-f]{8}…\\)$`));
    assert.match(table[2][5], /^drive\/highway\.recordingsession\.yaml from 0:00(\.0)? to \d+:\d+/);
    assert.deepEqual(pageErrors, [], 'no script error');
  });

  it("shows the systems table's detail column whole, at the width of the page", async () => {
    const table = page.locator('[id$="lab-exp-table"]');
    const header = table.locator('th', { hasText: 'detail' });
    await header.waitFor();
    const box = await table.boundingBox();
    const cell = await header.boundingBox();
    assert.ok(box && cell, 'table and its detail header are drawn');
    assert.ok(
      cell.x + cell.width <= box.x + box.width + 0.5,
      `detail header ends at ${cell.x + cell.width}, table at ${box.x + box.width}`,
    );
    // Nothing to scroll sideways: every column fits.
    const overflow = await table.evaluate((el) => {
      const scroller = el.querySelector('.v-table__wrapper') ?? el;
      return scroller.scrollWidth - scroller.clientWidth;
    });
    assert.ok(overflow <= 1, `the table scrolls sideways by ${overflow}px`);
    // Each detail cell shows its whole text (no ellipsis, no clipping).
    for (const td of await table.locator('tbody td:last-child').all()) {
      const clipped = await td.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
      assert.equal(clipped, false, `cut off: ${await td.innerText()}`);
    }
  });
});
