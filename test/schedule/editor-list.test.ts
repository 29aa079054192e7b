/**
 * recorder-schedule's edit dialog with a long schedule list, in headless Chromium: it previews only
 * the first rows when it opens (the others when their expression is selected) instead of sending a
 * request per row, an anchor to a later row survives the loading (the anchor choices are filled when
 * a dropdown opens, not by asking every other row while the list loads, which was quadratic), and
 * Done writes every row back as it was. Names follow the runtime's rule there too.
 */
import assert from 'node:assert/strict';
import { pressDone, openDialog, startEditorSession, STARTUP_MS, type EditorSession } from '../editor/session';

const ROWS = 300;

const rows = Array.from({ length: ROWS }, (_, i) =>
  i % 10 === 9
    ? {
        name: `row ${i}`,
        expression: '0 */5 * ? * * *',
        timeZone: '',
        relative: true,
        // Anchored to a later row: its name is not in the list yet when this row loads.
        anchor: `row ${i + 1 === ROWS ? 0 : i + 1}`,
        runFor: 600,
        topic: '',
        payload: '',
        payloadType: 'date',
      }
    : {
        name: `row ${i}`,
        expression: `0 ${i % 60} * * * *`,
        timeZone: '',
        relative: false,
        topic: '',
        payload: '',
        payloadType: 'date',
      },
);

describe('recorder-schedule editor: a long schedule list, schedule names', function () {
  this.timeout(STARTUP_MS * 2);
  let session: EditorSession;

  before(async () => {
    session = await startEditorSession({
      extraNodes: [
        { id: 'long-tab', type: 'tab', label: 'long list' },
        {
          id: 'long-list',
          type: 'recorder-schedule',
          z: 'long-tab',
          schedules: rows,
          dst: 'auto',
          missed: 'skip',
          store: 'none',
          x: 200,
          y: 100,
          wires: [[], []],
        },
        ...['*', 'bell\u0007', 'fine name'].map((name, i) => ({
          id: `named-${i}`,
          type: 'recorder-schedule',
          z: 'long-tab',
          schedules: [
            { name, expression: '0 0 * * * *', timeZone: '', relative: false, topic: '', payload: '' },
          ],
          store: 'none',
          x: 200,
          y: 200 + 60 * i,
          wires: [[], []],
        })),
      ],
    });
  });
  after(async () => {
    await session?.close();
  });

  it(`opens ${ROWS} rows with a preview of the first ones only, and keeps every row`, async () => {
    const { page } = session;
    const previews: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('recorders/schedule/preview')) previews.push(r.url());
    });
    await openDialog(page, 'long-list');
    const shown = await page.evaluate(() => ({
      rows: document.querySelectorAll('.rs-row').length,
      anchor: document.querySelectorAll('.rs-row')[9]?.querySelector<HTMLSelectElement>('.rs-anchor')?.value,
    }));
    assert.equal(shown.rows, ROWS);
    assert.equal(shown.anchor, 'row 10', 'an anchor to a later row is kept');
    assert.ok(previews.length <= 50, `${previews.length} previews requested when the dialog opened`);
    // A row further down previews once its expression is selected.
    await page.evaluate(() => {
      const input = document
        .querySelectorAll('.rs-row')[250]
        ?.querySelector('.rs-expression') as HTMLInputElement;
      input.focus();
    });
    await page.waitForFunction(() => {
      const text = document.querySelectorAll('.rs-row')[250]?.querySelector('.rs-preview')?.textContent ?? '';
      return / — next: /.test(text);
    });
    await pressDone(page, 'node-input');
    const saved = await page.evaluate(
      () =>
        (
          globalThis as unknown as { RED: { nodes: { node(id: string): { schedules: unknown[] } } } }
        ).RED.nodes.node('long-list').schedules,
    );
    assert.deepEqual(saved, rows, 'Done writes every row back as it was');
    assert.deepEqual(session.pageErrors, []);
  });

  it('marks a schedule named "*" or with a control character invalid, as the runtime refuses it', async () => {
    const valid = await session.page.evaluate(() =>
      ['named-0', 'named-1', 'named-2'].map(
        (id) =>
          (
            globalThis as unknown as { RED: { nodes: { node(id: string): { valid: boolean } } } }
          ).RED.nodes.node(id).valid,
      ),
    );
    assert.deepEqual(valid, [false, false, true]);
  });
});
