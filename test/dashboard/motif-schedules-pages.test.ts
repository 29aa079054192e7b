/**
 * The motif and Schedules pages as a user drives them in headless Chromium, against the demo
 * (`npm start`'s flows and simulators): the live camera picker moves the live view, the frame is
 * shown whole, "Last command" names the camera, the led toggle flips on its first press after the
 * switch, wrong metadata and a schedule button without a selected row say so on the page.
 */
import assert from 'node:assert/strict';
import { type Locator, type Page } from 'playwright-core';
import { openDashboard, until, type DashboardBrowser } from './browser';
import type { Demo } from './demo';

describe('motif and Schedules pages in a browser', function () {
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

  afterEach(() => assert.deepEqual(pageErrors.splice(0), [], 'no script error'));

  const open = (pagePath: string, ready: string): Promise<void> => ui.open(pagePath, ready);

  const caption = (): Locator => page.locator('.lab-live .text-caption');

  it('motif: the live camera picker moves the live view to the picked camera and back', async () => {
    await open('motif', 'Start LAB0');
    // No camera configured on the stream: the server's first camera until one is picked.
    await caption()
      .filter({ hasText: /^LAB0 · frame \d+ · 640×480$/ })
      .waitFor({ timeout: 10_000 });
    const picker = page.locator('[id$="lab-motif-cam"]');
    await picker.click();
    await page.getByRole('option', { name: 'LAB1' }).click();
    await caption()
      .filter({ hasText: /^LAB1 · frame \d+ · 640×480$/ })
      .waitFor({ timeout: 10_000 });
    // Frames of the picked camera keep coming (the frame number moves on).
    const first = await caption().innerText();
    await until('a newer LAB1 frame', async () => {
      const now = await caption().innerText();
      return now !== first && now.startsWith('LAB1 ');
    });
    await picker.click();
    await page.getByRole('option', { name: 'LAB0' }).click();
    await caption()
      .filter({ hasText: /^LAB0 · / })
      .waitFor({ timeout: 10_000 });
  });

  it('motif: the live frame is shown whole, at its own aspect ratio, inside its widget', async () => {
    await open('motif', 'Start LAB0');
    const img = page.locator('img.lab-live-img');
    await img.waitFor({ timeout: 10_000 });
    await until('the frame decoded', () =>
      img.evaluate((e: HTMLImageElement) => e.complete && e.naturalWidth > 0),
    );
    const [naturalW, naturalH] = await img.evaluate((e: HTMLImageElement) => [
      e.naturalWidth,
      e.naturalHeight,
    ]);
    const shown = await img.boundingBox();
    const widget = await page.locator('[id$="lab-motif-view"]').boundingBox();
    assert.ok(shown && widget, 'image and widget are on the page');
    assert.ok(shown.width > 200, `the frame is shown at a useful size (${shown.width}px wide)`);
    const aspect = shown.width / shown.height;
    assert.ok(
      Math.abs(aspect - naturalW / naturalH) < 0.02,
      `shown ${shown.width}×${shown.height}, frame ${naturalW}×${naturalH}: not stretched`,
    );
    // Nothing of it outside the widget (the widget clips what overflows).
    assert.ok(shown.y >= widget.y - 0.5, `image top ${shown.y}, widget top ${widget.y}`);
    assert.ok(
      shown.y + shown.height <= widget.y + widget.height + 0.5,
      `image bottom ${shown.y + shown.height}, widget bottom ${widget.y + widget.height}`,
    );
    assert.ok(shown.x >= widget.x - 0.5 && shown.x + shown.width <= widget.x + widget.width + 0.5);
    // And the element that holds it does not clip it either.
    const clipped = await img.evaluate((e) => {
      const own = e.getBoundingClientRect();
      for (let p = e.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (style.overflow === 'visible' && style.overflowY === 'visible') continue;
        const box = p.getBoundingClientRect();
        if (own.bottom > box.bottom + 0.5 || own.top < box.top - 0.5) return p.className || p.tagName;
      }
      return '';
    });
    assert.equal(clipped, '', 'no ancestor cuts the frame');
  });

  it('motif: "Last command" names the operation with the camera it ran on', async () => {
    const camera = demo.dashboard.motif.state.cameras.get('LAB1');
    assert.ok(camera, 'the dashboard simulator serves LAB1');
    await open('motif', 'Start LAB1');
    const last = page.locator('[id$="lab-motif-last"] .nrdb-ui-text-value');
    await page.getByRole('button', { name: 'Start LAB1' }).click();
    await until('LAB1 to record', () => camera.recording.status !== 'idle');
    await last.filter({ hasText: /^camera\/LAB1\/recording\/start: / }).waitFor({ timeout: 10_000 });
    assert.match(await last.innerText(), /^camera\/LAB1\/recording\/start: ok \(\d+ ms\)$/);
    await page.getByRole('button', { name: 'Stop LAB1' }).click();
    await until('LAB1 to stop', () => camera.recording.status === 'idle');
    await last.filter({ hasText: /^camera\/LAB1\/recording\/stop: / }).waitFor({ timeout: 10_000 });
    assert.match(await last.innerText(), /^camera\/LAB1\/recording\/stop: ok \(\d+ ms\)$/);
  });

  it('motif: the first "Toggle led" press after the led switch flips the led, and so does each next one', async () => {
    const { state } = demo.dashboard.motif;
    await open('motif', 'Start LAB0');
    const led = page.locator('[id$="lab-motif-sw-led"] input[type="checkbox"]');
    const ledChecked = (on: boolean): Promise<unknown> =>
      page.waitForFunction(
        (want) =>
          document.querySelector<HTMLInputElement>('[id$="lab-motif-sw-led"] input')?.checked === want,
        on,
        { timeout: 10_000 },
      );
    const toggle = page.getByRole('button', { name: 'Toggle led' });
    // Switched on, then toggled: off at the first press.
    if (await led.isChecked()) {
      await led.click();
      await until('led off', () => state.outputs.led?.value === 0);
      await ledChecked(false);
    }
    await led.click();
    await until('led on from the switch', () => state.outputs.led?.value === 1);
    await ledChecked(true);
    await toggle.click();
    await until('led off from the first toggle', () => state.outputs.led?.value === 0);
    await ledChecked(false);
    await toggle.click();
    await until('led on from the second toggle', () => state.outputs.led?.value === 1);
    await ledChecked(true);
    // Switched off, then toggled: on at the first press.
    await led.click();
    await until('led off from the switch', () => state.outputs.led?.value === 0);
    await ledChecked(false);
    await toggle.click();
    await until('led on from the first toggle', () => state.outputs.led?.value === 1);
    await ledChecked(true);
  });

  it('motif: metadata that is not a JSON object is refused with a notification, and not sent', async () => {
    const camera = demo.dashboard.motif.state.cameras.get('LAB0');
    assert.ok(camera);
    await open('motif', 'Start LAB0');
    const metadata = page.locator('[id$="lab-motif-meta"] input');
    await metadata.fill('{"animal": "m12"}');
    await metadata.press('Enter');
    await metadata.fill('[1, 2]');
    await metadata.press('Enter');
    await page.getByText(/metadata must be a JSON object/).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Start LAB0' }).click();
    await until('LAB0 to record', () => camera.recording.status !== 'idle');
    assert.deepEqual(
      camera.recording.metadata,
      { animal: 'm12', source: 'dashboard' },
      'the last good object',
    );
    await page.getByRole('button', { name: 'Stop LAB0' }).click();
    await until('LAB0 to stop', () => camera.recording.status === 'idle');
  });

  it('Schedules: Pause, Resume and Trigger without a selected row ask for one on the page and change nothing', async () => {
    await open('schedules', 'hourly record');
    const states = (): Promise<string[]> =>
      page.locator('[id$="lab-sched-table"] td[data-column-key="state"]').allInnerTexts();
    const fired = (): Promise<string[]> =>
      page.locator('[id$="lab-sched-table"] td[data-column-key="fired"]').allInnerTexts();
    const before = await states();
    assert.ok(before.length >= 4 && before.every((s) => s === 'armed'), JSON.stringify(before));
    const notice = page.getByText('Select a schedule in the table first (click its row).');
    for (const name of ['Pause', 'Resume', 'Trigger now']) {
      await page.getByRole('button', { name, exact: true }).click();
      await notice.first().waitFor({ state: 'visible', timeout: 10_000 });
      // Dismissed, so the next button's notification is its own.
      await page.getByRole('button', { name: 'Close' }).first().click();
      await notice.first().waitFor({ state: 'hidden', timeout: 10_000 });
    }
    assert.deepEqual(await states(), before, 'no schedule paused or resumed');
    // "hourly record" and the others fire at whole hours or days: only a trigger would count here.
    const counts = await fired();
    const table = await page.locator('[id$="lab-sched-table"] tbody tr').allInnerTexts();
    const hourly = table.findIndex((row) => row.includes('hourly record'));
    assert.equal(counts[hourly], '0', 'hourly record was not triggered');
    // With a row selected the same button acts on it, without a notification.
    await page.locator('[id$="lab-sched-table"] tbody tr').filter({ hasText: 'hourly record' }).click();
    await page
      .locator('[id$="lab-sched-sel"] .nrdb-ui-text-value')
      .filter({ hasText: /^hourly record$/ })
      .waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page
      .locator('[id$="lab-sched-table"] tbody tr')
      .filter({ hasText: 'hourly record' })
      .locator('td[data-column-key="state"]')
      .filter({ hasText: /^paused$/ })
      .waitFor({ timeout: 10_000 });
    assert.equal(await notice.count(), 0, 'no notification with a selection');
    await page.getByRole('button', { name: 'Resume all' }).click();
    await until('every schedule armed again', async () => (await states()).every((s) => s === 'armed'));
  });
});
