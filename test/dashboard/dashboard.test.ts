/**
 * The lab control dashboard as a user sees it: the demo (`npm start`'s flows, Dashboard 2 and our
 * nodes against the simulators) driven by headless Chromium. Pages load without script errors and
 * are not blank; the buttons and the slider reach the simulated systems; the live view moves (the
 * Experiment page's actions are in experiment-page.test.ts). Names typed by users (a session, a
 * schedule) show as text: no element made from them, no request to a host they name.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page, type Request } from 'playwright-core';
import sharp from 'sharp';
import { openDashboard, until, type DashboardBrowser } from './browser';
import type { Demo } from './demo';

const SHOTS = path.join(os.tmpdir(), 'recorders-dashboard');

/** The dashboard's pages: path, and a text each one shows once its widgets are there. */
const PAGES: Array<{ path: string; ready: string }> = [
  { path: 'motif', ready: 'Start LAB0' },
  { path: 'remotive', ready: 'Loop start (s)' },
  { path: 'aivero', ready: 'D435 top' },
  { path: 'schedules', ready: 'hourly record' },
  { path: 'experiment', ready: 'Start experiment' },
];

/** Standard deviation of the pixel values over all channels: 0 for a single-coloured image. */
async function pixelSpread(png: Buffer): Promise<number> {
  const stats = await sharp(png).stats();
  return Math.max(...stats.channels.map((c) => c.stdev));
}

describe('lab control dashboard in a browser', function () {
  this.timeout(90_000);
  let ui: DashboardBrowser;
  let demo: Demo;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    ui = await openDashboard();
    ({ demo, page, pageErrors } = ui);
  });

  after(async () => {
    await ui?.close();
  });

  const open = (pagePath: string, ready: string): Promise<void> => ui.open(pagePath, ready);

  for (const { path: pagePath, ready } of PAGES) {
    it(`shows the ${pagePath} page without a script error, not blank`, async () => {
      await open(pagePath, ready);
      // Widgets fed by the flows (tables, gauges, text) are drawn once their first message is in.
      await page.waitForLoadState('networkidle');
      const png = await page.screenshot({ path: path.join(SHOTS, `${pagePath}.png`), fullPage: true });
      const spread = await pixelSpread(png);
      assert.ok(
        spread > 20,
        `${pagePath}: screenshot pixel spread ${spread.toFixed(1)} (a blank page is ~0)`,
      );
      assert.deepEqual(pageErrors, [], `${pagePath}: no script error`);
    });
  }

  it('records on the simulated camera when "Start LAB0" is pressed, and shows it from the state stream', async () => {
    const camera = demo.dashboard.motif.state.cameras.get('LAB0');
    assert.ok(camera, 'the dashboard simulator serves LAB0');
    await open('motif', 'Start LAB0');
    assert.equal(camera.recording.status, 'idle');
    await page.getByRole('button', { name: 'Start LAB0' }).click();
    await until('LAB0 to record', () => camera.recording.status !== 'idle');
    assert.equal(camera.recording.metadata.source, 'dashboard', 'the metadata reached the camera');
    await page
      .getByText(/^recording, frame/)
      .first()
      .waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Stop LAB0' }).click();
    await until('LAB0 to stop', () => camera.recording.status === 'idle');
    // The stop refreshes the recordings table with the new file.
    await page.getByRole('cell', { name: 'LAB0' }).first().waitFor({ timeout: 10_000 });
  });

  it('sets an output from its switch and toggles it, and copies every recording with progress', async () => {
    const { state } = demo.dashboard.motif;
    await open('motif', 'Start LAB0');
    const led = page.locator('[id$="lab-motif-sw-led"] input[type="checkbox"]');
    await led.click();
    await until('led on', () => state.outputs.led?.value === 1);
    const ledChecked = (want: boolean): Promise<unknown> =>
      page.waitForFunction(
        (on) => document.querySelector<HTMLInputElement>('[id$="lab-motif-sw-led"] input')?.checked === on,
        want,
        { timeout: 10_000 },
      );
    await ledChecked(true);
    // The page's toggle flips what the switch shows (-inf while on, +inf while off): every press counts.
    const toggle = page.getByRole('button', { name: 'Toggle led' });
    await toggle.click();
    await until('led toggled off', () => state.outputs.led?.value === 0);
    // The switch shows what the server answered.
    await ledChecked(false);
    await toggle.click();
    await until('led toggled on', () => state.outputs.led?.value === 1);
    await ledChecked(true);
    await page.getByRole('button', { name: 'Copy all' }).click();
    await until('a copy under way', () =>
      [...state.cameras.values()].some((c) => c.playback.status === 'copying'),
    );
    await page.getByText('Copy: 100%').waitFor({ timeout: 15_000 });
    assert.ok([...state.cameras.values()].every((c) => c.playback.status !== 'copying'));
  });

  it('updates the live view image (two different frames)', async () => {
    await open('motif', 'Start LAB0');
    const img = page.locator('img.lab-live-img');
    await img.waitFor({ timeout: 10_000 });
    const first = await img.getAttribute('src');
    assert.ok(first?.startsWith('data:image/jpeg;base64,'), 'a JPEG data URL');
    await page.waitForFunction(
      (before) => document.querySelector('img.lab-live-img')?.getAttribute('src') !== before,
      first,
      { timeout: 10_000 },
    );
  });

  it('shows live signals, seeks the simulated broker when the position slider is moved, and holds it while held', async () => {
    const sim = demo.dashboard.remotive;
    const path0 = 'drive/city-loop.recordingsession.yaml';
    await open('remotive', 'Loop start (s)');
    await page.getByRole('button', { name: 'Open' }).click();
    await until('the session to open', () => sim.state.sessions.find((s) => s.path === path0));
    await page.getByRole('button', { name: 'Play' }).click();
    await until('playback', () =>
      sim.state.sessions.find((s) => s.path === path0 && s.mode === 'PLAYBACK_PLAYING'),
    );
    // Live signals while it plays: the speed gauge leaves 0 (the city loop drives 20…80 km/h).
    await page.waitForFunction(
      () => {
        const text = document.querySelector('[id$="lab-remotive-speed"]')?.textContent ?? '';
        const m = /(\d+(?:\.\d+)?)\s*km\/h/.exec(text);
        return m !== null && Number(m[1]) > 10;
      },
      undefined,
      { timeout: 10_000 },
    );
    const track = page.locator('.lab-position-slider .v-slider-track');
    const box = await track.boundingBox();
    assert.ok(box, 'the slider is visible');
    const thumb = page.locator('.lab-position-slider [role="slider"]');
    // Hold the slider at 3/4 of the track (0…60 s: 45 s) while the status stream keeps playing.
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
    const held = Number(await thumb.getAttribute('aria-valuenow'));
    assert.ok(held > 30 && held < 60, `slider held at ${held} s`);
    // Status messages keep arriving while it is held (the caption shows them): the thumb stays.
    const caption = (): Promise<string> => page.locator('.lab-position .text-caption').innerText();
    const before = await caption();
    await page.waitForFunction(
      (text) => document.querySelector('.lab-position .text-caption')?.textContent !== text,
      before,
      { timeout: 10_000 },
    );
    assert.match(await caption(), /^playing/);
    assert.equal(
      Number(await thumb.getAttribute('aria-valuenow')),
      held,
      'status does not move a held slider',
    );
    await page.mouse.up();
    const seek = await until('a seek at the slider position', () =>
      sim.state.received.find((c) => c.rpc === 'PlaybackSeek'),
    );
    assert.ok(seek);
    const session = await until('the broker at the new position', () =>
      sim.state.sessions.find((s) => s.path === path0 && s.offsetUs >= (held - 1) * 1e6),
    );
    assert.ok(
      session.offsetUs < (held + 5) * 1e6,
      `seeked to ${session.offsetUs / 1e6} s (slider ${held} s)`,
    );
    await page.getByRole('button', { name: 'Close' }).click();
    await until('the session to close', () => !sim.state.sessions.some((s) => s.path === path0));
  });

  it('creates an Aivero session from the form and measures Standby → Started', async () => {
    const { aivero } = demo.dashboard;
    const stateOf = async (name: string): Promise<string | undefined> => {
      const rows = (await aivero.query('SELECT state FROM recording_sessions WHERE name = $1', [
        name,
      ])) as Array<{
        state: string;
      }>;
      return rows[0]?.state;
    };
    const waitState = async (name: string, want: string): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while ((await stateOf(name)) !== want) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${name} to be ${want}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await open('aivero', 'D435 top');
    const form = page.locator('[id$="lab-aivero-form"]');
    await form.locator('input[type="text"]').first().fill('dashboard-test');
    await form.locator('.v-select').click();
    await page.getByRole('option', { name: 'D435 side (935322075678)' }).click();
    await form.locator('input[type="checkbox"]').check();
    await form.getByRole('button', { name: 'create' }).click();
    await waitState('dashboard-test', 'Standby');
    await page.getByText(/^created .* in Standby$/).waitFor({ timeout: 15_000 });
    // The watch has seen it armed (its first report may be the Stopped of the insert, before Standby).
    const sessionRow = (state: string) =>
      page
        .locator('[id$="lab-aivero-sesstable"] tbody tr')
        .filter({ has: page.locator('td[data-column-key="name"]', { hasText: /^dashboard-test$/ }) })
        .filter({ has: page.locator('td[data-column-key="state"]', { hasText: new RegExp(`^${state}$`) }) });
    await sessionRow('Standby').first().waitFor({ timeout: 15_000 });
    const latencies: string[] = [];
    for (let round = 0; round < 3; round++) {
      await page.getByRole('button', { name: 'Started' }).click();
      await waitState('dashboard-test', 'Started');
      // Each measured change adds a row to "Measured triggers" (newest last).
      const rows = page.locator('[id$="lab-aivero-lattable"] tbody tr:has(td:nth-child(2))');
      await until('the Started measurement', async () => (await rows.count()) === 2 * round + 1);
      const [from, to, ackMs, seenMs] = await rows.last().locator('td').allInnerTexts();
      assert.deepEqual([from, to], ['Standby', 'Started']);
      assert.match(ackMs, /^\d+$/);
      assert.match(seenMs, /^\d+$/);
      latencies.push(
        `acknowledged ${ackMs} ms, seen Started (aivero-action waiting on its live query) after ${seenMs} ms`,
      );
      await page.getByRole('button', { name: 'Standby' }).click();
      await waitState('dashboard-test', 'Standby');
      await until('the Standby measurement', async () => (await rows.count()) === 2 * round + 2);
      await sessionRow('Standby').first().waitFor({ timeout: 15_000 });
    }
    console.log(`      Aivero trigger latencies:\n${latencies.map((l) => `        ${l}`).join('\n')}`);
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitState('dashboard-test', 'Stopped');
    await page.screenshot({ path: path.join(SHOTS, 'aivero-after-triggers.png'), fullPage: true });
    assert.deepEqual(pageErrors, [], 'no script error');
  });

  it('pauses, triggers and resumes a schedule from the Schedules page', async () => {
    await open('schedules', 'hourly record');
    const row = page
      .locator('[id$="lab-sched-table"] tbody tr')
      .filter({ has: page.locator('td[data-column-key="name"]', { hasText: /^hourly record$/ }) });
    const state = row.locator('td[data-column-key="state"]');
    await row.click();
    await page
      .getByText(/^hourly record$/)
      .last()
      .waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await state.filter({ hasText: /^paused$/ }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Trigger now' }).click();
    await page.getByText(/^hourly record \(triggered\) at /).waitFor({ timeout: 10_000 });
    await row.locator('td[data-column-key="fired"]').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await state.filter({ hasText: /^armed$/ }).waitFor({ timeout: 10_000 });
    assert.deepEqual(pageErrors, [], 'no script error');
  });

  it('shows session and schedule names typed by users as text, never as HTML', async () => {
    const NAME = '<b>x</b><img src=http://127.0.0.1:9/x>';
    const toNamedHost: string[] = [];
    const onRequest = (r: Request): void => {
      if (r.url().includes('127.0.0.1:9/')) toNamedHost.push(r.url());
    };
    page.on('request', onRequest);
    /** No element on the page was made from the name. */
    const noMarkup = async (where: string): Promise<void> => {
      assert.equal(
        await page.locator('img[src*="127.0.0.1:9"]').count(),
        0,
        `${where}: an <img> from the name`,
      );
      assert.equal(
        await page.locator('.nrdb-ui-text-value :is(b, img)').count(),
        0,
        `${where}: markup in a text`,
      );
    };
    try {
      // Aivero: a session created from the form with that name, then selected in the sessions table.
      await open('aivero', 'D435 top');
      const form = page.locator('[id$="lab-aivero-form"]');
      await form.locator('input[type="text"]').first().fill(NAME);
      await form.locator('.v-select').click();
      await page.getByRole('option', { name: 'D435 side (935322075678)' }).click();
      await form.locator('input[type="checkbox"]').check();
      await form.getByRole('button', { name: 'create' }).click();
      const row = page
        .locator('[id$="lab-aivero-sesstable"] tbody tr')
        .filter({ has: page.locator('td[data-column-key="name"]', { hasText: NAME }) });
      await row.first().click();
      const session = page.locator('[id$="lab-aivero-selected"] .nrdb-ui-text-value');
      await session.filter({ hasText: NAME }).waitFor({ timeout: 15_000 });
      assert.match(
        await session.innerText(),
        /^<b>x<\/b><img src=http:\/\/127\.0\.0\.1:9\/x> \([0-9a-f]{8}…\)$/,
      );
      await noMarkup('Aivero page');

      // Schedules: a schedule of that name, deployed as an editor user would add it, selected and triggered.
      const flows = (await (await fetch(`${demo.url}/flows`)).json()) as Array<Record<string, unknown>>;
      const protocol = flows.find((n) => n.type === 'recorder-schedule' && n.name === 'lab protocol');
      assert.ok(protocol, 'the Schedules page has its recorder-schedule node');
      protocol.schedules = [
        ...(protocol.schedules as unknown[]),
        {
          name: NAME,
          expression: '0 0 4 * * ?',
          timeZone: '',
          relative: false,
          topic: 'named',
          payload: '',
          payloadType: 'date',
        },
      ];
      const deployed = await fetch(`${demo.url}/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'nodes' },
        body: JSON.stringify(flows),
      });
      assert.ok(deployed.ok, `deploy: ${deployed.status} ${await deployed.text()}`);
      await open('schedules', 'hourly record');
      const schedule = page
        .locator('[id$="lab-sched-table"] tbody tr')
        .filter({ has: page.locator('td[data-column-key="name"]', { hasText: NAME }) });
      await schedule.click({ timeout: 15_000 });
      const selected = page.locator('[id$="lab-sched-sel"] .nrdb-ui-text-value');
      await selected.filter({ hasText: NAME }).waitFor();
      assert.equal(await selected.innerText(), NAME);
      await page.getByRole('button', { name: 'Trigger now' }).click();
      const fired = page.locator('[id$="lab-sched-last"] .nrdb-ui-text-value');
      await fired.filter({ hasText: `${NAME} (triggered) at ` }).waitFor({ timeout: 10_000 });
      await noMarkup('Schedules page');
      assert.deepEqual(toNamedHost, [], 'requests to the host the name points at');
      assert.deepEqual(pageErrors, [], 'no script error');
    } finally {
      page.off('request', onRequest);
    }
  });
});
