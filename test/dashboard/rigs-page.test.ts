/**
 * The Rigs page as a user drives it in headless Chromium, against the demo (`npm start`'s flows):
 * the fleet example's rig (rig-1, on the demo's shared broker) shows in the rig table, Start all and
 * Stop chosen reach it through recorder-rigs and show in the table and the last command's answers,
 * and an experiment across rigs starts and stops.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openDashboard, until, type DashboardBrowser } from './browser';

describe('Rigs page in a browser', function () {
  this.timeout(120_000);
  let ui: DashboardBrowser;
  let page: Page;

  before(async () => {
    ui = await openDashboard();
    page = ui.page;
  });

  after(async () => {
    await ui?.close();
  });

  const rigRow = (text: RegExp) =>
    page.locator('[id$="lab-rigs-table"] tr').filter({ hasText: /rig-1/ }).filter({ hasText: text });
  const lastRow = (text: RegExp) =>
    page.locator('[id$="lab-rigs-last"] tr').filter({ hasText: /rig-1/ }).filter({ hasText: text });

  it('lists the rig, starts all, stops the chosen rig, and runs an experiment across rigs', async () => {
    await ui.open('rigs', 'Start all');
    await rigRow(/online/)
      .first()
      .waitFor({ timeout: 20_000 });

    await page.getByRole('button', { name: 'Start all' }).click();
    await lastRow(/done/).first().waitFor({ timeout: 20_000 });
    await rigRow(/recording/)
      .first()
      .waitFor({ timeout: 20_000 });
    const last = page.locator('[id$="lab-rigs-lastshow"] .nrdb-ui-text-value');
    await last.filter({ hasText: /^start · 1 rigs · spread 0\.0 ms$/ }).waitFor({ timeout: 10_000 });

    // Stop chosen before a rig is chosen: a notification, nothing sent.
    await page.getByRole('button', { name: 'Stop chosen' }).click();
    await page.getByText('Click a rig in the table first').first().waitFor({ timeout: 10_000 });
    assert.equal(await rigRow(/recording/).count(), 1, 'still recording');

    await rigRow(/online/)
      .first()
      .click();
    await page
      .locator('[id$="lab-rigs-chosentext"] .nrdb-ui-text-value')
      .filter({ hasText: 'Chosen: rig-1' })
      .waitFor();
    await page.getByRole('button', { name: 'Stop chosen' }).click();
    await rigRow(/idle/).first().waitFor({ timeout: 20_000 });

    await page.getByRole('button', { name: 'Start experiment' }).click();
    await last.filter({ hasText: /^experiment\/start · 1 rigs/ }).waitFor({ timeout: 20_000 });
    await rigRow(/running/)
      .first()
      .waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Stop experiment' }).click();
    await last.filter({ hasText: /^experiment\/stop · 1 rigs/ }).waitFor({ timeout: 20_000 });
    await until(
      'the experiment stopped in the rig table',
      async () => (await rigRow(/running/).count()) === 0,
    );
    assert.deepEqual(ui.pageErrors, []);
  });
});
