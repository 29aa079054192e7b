/**
 * The examples' layout in the editor: no node drawn over another or over another's status line,
 * and every comment where a user opening the tab sees it. Every example file is checked, the
 * dashboard pages included.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { listExamples, readExample } from '../../src/devtools/flows';
import { boxOf, overlappingPairs, overlaps, strayComments } from './layout';

const examplesDir = path.resolve(__dirname, '..', '..', '..', 'examples');
describe('example layout', () => {
  const files = listExamples(examplesDir, true);

  it('checks the dashboard pages with the other examples', () => {
    const pages = files.filter((f) => path.relative(examplesDir, f).startsWith('dashboard'));
    assert.equal(pages.length, 6, pages.join(', '));
  });

  it('the estimate finds an overlap where there is one', () => {
    const a = { id: 'a', type: 'debug', tostatus: true, x: 100, y: 100 };
    const b = { id: 'b', type: 'inject', x: 100, y: 150 };
    assert.ok(overlaps(boxOf(a), boxOf(b)), 'status line of a under b');
    assert.deepEqual(overlappingPairs([a, { ...b, y: 190 }]), []);
    assert.deepEqual(strayComments([{ id: 'c', type: 'comment', name: 'c', x: 10, y: 40 }, b]), ['comment "c"']);
  });

  for (const file of files) {
    const name = path.relative(examplesDir, file);
    it(`${name}: no overlapping nodes, comments in view`, () => {
      const nodes = readExample(file);
      assert.deepEqual(overlappingPairs(nodes), [], 'overlapping node boxes (120×30, +50 px status)');
      assert.deepEqual(strayComments(nodes), [], 'comments outside the visible area');
    });
  }
});
