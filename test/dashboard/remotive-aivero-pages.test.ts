/**
 * The RemotiveLabs and Aivero dashboard pages' own defects, as a user meets them in the demo: a
 * session created with "Start in Standby" off starts at once (it used to fail with "endDate is
 * missing"); the highway recording shows Engine, Gear and Drive mode (they stayed empty); Open on an
 * open recording is a success, not an error toast.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openDashboard, until, type DashboardBrowser } from './browser';
import type { Demo } from './demo';

const HIGHWAY = 'drive/highway.recordingsession.yaml';

describe('RemotiveLabs and Aivero pages in a browser', function () {
  this.timeout(90_000);
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

  const open = (pagePath: string, ready: string): Promise<void> => ui.open(pagePath, ready);

  /** The text a ui-text widget of the page shows. */
  const textOf = (id: string): Promise<string> =>
    page.locator(`[id$="${id}"] .nrdb-ui-text-value`).innerText();

  it('creates an Aivero session with "Start in Standby" off: it starts at once and shows in the sessions table', async () => {
    const { aivero } = demo.dashboard;
    const stateOf = async (name: string): Promise<string | undefined> => {
      const rows = (await aivero.query('SELECT state FROM recording_sessions WHERE name = $1', [
        name,
      ])) as Array<{
        state: string;
      }>;
      return rows[0]?.state;
    };
    await open('aivero', 'D435 top');
    const form = page.locator('[id$="lab-aivero-form"]');
    await form.locator('input[type="text"]').first().fill('started-at-once');
    await form.locator('.v-select').click();
    await page.getByRole('option', { name: 'D435 side (935322075678)' }).click();
    await form.locator('input[type="checkbox"]').uncheck();
    await form.getByRole('button', { name: 'create' }).click();
    await until(
      'the session Started on the server',
      async () => (await stateOf('started-at-once')) === 'Started',
    );
    await page.getByText(/^created .* in Started$/).waitFor({ timeout: 15_000 });
    await page
      .locator('[id$="lab-aivero-sesstable"] tbody tr')
      .filter({ has: page.locator('td[data-column-key="name"]', { hasText: /^started-at-once$/ }) })
      .filter({ has: page.locator('td[data-column-key="state"]', { hasText: /^Started$/ }) })
      .first()
      .waitFor({ timeout: 15_000 });
    assert.equal(await page.getByText(/endDate is missing/).count(), 0, 'no "endDate is missing" error');
    // Stopped again from the page, so the session does not record on.
    await page.getByRole('button', { name: 'Stop' }).click();
    await until('the session Stopped', async () => (await stateOf('started-at-once')) === 'Stopped');
    await page
      .getByText(/ → Stopped: acknowledged after \d+ ms, seen Stopped by the watch after \d+ ms$/)
      .waitFor();
    assert.deepEqual(pageErrors, [], 'no script error');
  });

  it('shows Engine, Gear and Drive mode of the highway recording, and Open on the open recording is a success', async () => {
    const sim = demo.dashboard.remotive;
    await open('remotive', 'Loop start (s)');
    await page.locator('[id$="lab-remotive-pick"] .v-select').click();
    await page.getByRole('option', { name: HIGHWAY }).click();
    await page.getByRole('button', { name: 'Open' }).click();
    await until('the highway session open', () => sim.state.sessions.find((s) => s.path === HIGHWAY));
    await page.getByRole('button', { name: 'Play' }).click();
    await until('the highway playing', () =>
      sim.state.sessions.find((s) => s.path === HIGHWAY && s.mode === 'PLAYBACK_PLAYING'),
    );
    /** The value a gauge shows (its scale's minimum until a message came). */
    const gaugeValue = async (id: string): Promise<number> =>
      Number(await page.locator(`[id$="${id}"] .nrdb-ui-gauge-value span`).first().innerText());
    const rpm = await until('the engine gauge', async () => {
      const v = await gaugeValue('lab-remotive-rpm');
      return v > 1000 ? v : undefined;
    });
    assert.ok(rpm < 3500, `engine ${rpm} rpm`);
    await until('the gear gauge at 5 or 6', async () =>
      [5, 6].includes(await gaugeValue('lab-remotive-gear')),
    );
    await until('the drive mode', async () => (await textOf('lab-remotive-mode')) === 'comfort');

    // Open again while it plays: the node answers with the session as it is, no error toast.
    const before = sim.state.sessions.find((s) => s.path === HIGHWAY);
    assert.ok(before);
    await page.getByRole('button', { name: 'Open' }).click();
    await until('"already open" as the last command', async () =>
      /^open: already open, playing$/.test(await textOf('lab-remotive-last')),
    );
    assert.equal(await page.getByText(/already open; close it first/).count(), 0, 'no error toast');
    const after = sim.state.sessions.find((s) => s.path === HIGHWAY);
    assert.equal(after?.mode, 'PLAYBACK_PLAYING', 'still playing');
    assert.ok((after?.offsetUs ?? 0) >= before.offsetUs, 'not started over');
    await page.getByRole('button', { name: 'Close' }).click();
    await until('the session closed', () => !sim.state.sessions.some((s) => s.path === HIGHWAY));
    assert.deepEqual(pageErrors, [], 'no script error');
  });
});
