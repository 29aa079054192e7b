/**
 * aivero-watch's "list" output against the Aivero simulator over real HTTPS/WebSockets: every
 * message carries the latest state of every session it has reported (a Dashboard 2 table's rows,
 * the latest change first), the change itself in msg.change; a deleted session leaves the list.
 * SessionList's cap is checked without a server.
 */
import assert from 'node:assert/strict';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { MAX_LISTED, SessionList } from '../../nodes/aivero-watch/session-list';
import { collect, nextMessage, waitFor, type Message } from '../support/flow';
import { helper, loadFlow } from '../support/node-red';
import {
  actionNode,
  AIVERO,
  credentials,
  flow,
  serverNode,
  SPEC,
  startSim,
  watchNode,
} from './aivero-helpers';

type Row = { id: string; name: string; state: string; previous: string; at: string };

describe('aivero-watch: every session as a list', function () {
  this.timeout(60_000);
  let sim: AiveroSimulator;

  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  async function call(msg: Record<string, unknown>): Promise<Message> {
    const got = nextMessage(helper.getNode('out'));
    helper.getNode('act').receive(msg);
    return got;
  }

  it('each message lists every session, latest change first, with msg.change the change; a deleted one leaves', async () => {
    await loadFlow(
      AIVERO,
      flow(
        serverNode(sim),
        watchNode({ scope: 'all', output: 'list' }),
        actionNode({ operation: '', state: '', session: '' }),
      ),
      credentials(sim),
    );
    const seen = collect(helper.getNode('wout'));
    const spec = { ...SPEC, state: 'Stopped', always: true, endDate: undefined };
    const a = (await call({ operation: 'createSession', payload: { ...spec, name: 'list-a' } }))
      .session as string;
    const b = (await call({ operation: 'createSession', payload: { ...spec, name: 'list-b' } }))
      .session as string;
    const rowsOf = (m: Message): Row[] => m.payload as Row[];
    const last = (): Row[] | undefined => (seen.length ? rowsOf(seen[seen.length - 1]) : undefined);
    await waitFor(() =>
      last()?.some((r) => r.id === a) && last()?.some((r) => r.id === b) ? true : undefined,
    );
    await call({ operation: 'setState', session: a, state: 'Standby' });
    const rows = await waitFor(() =>
      last()?.[0]?.id === a && last()?.[0]?.state === 'Standby' ? last() : undefined,
    );
    assert.deepEqual(Object.keys(rows[0]).sort(), ['at', 'id', 'name', 'previous', 'state']);
    assert.deepEqual(
      { name: rows[0].name, previous: rows[0].previous },
      { name: 'list-a', previous: 'Stopped' },
    );
    assert.match(rows[0].at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(rows.filter((r) => r.id === a).length, 1, 'one row per session');
    assert.ok(rows.some((r) => r.id === b && r.state === 'Stopped'));
    const message = seen[seen.length - 1];
    assert.deepEqual(
      { id: (message.change as Row).id, state: (message.change as Row).state, topic: message.topic },
      { id: a, state: 'Standby', topic: 'list-a' },
    );
    await call({ operation: 'deleteSession', session: b });
    await waitFor(() => (last() && !last()?.some((r) => r.id === b) ? true : undefined));
    assert.ok(
      last()?.some((r) => r.id === a),
      'the others stay',
    );
  });

  it('the default output is still one message per change', async () => {
    await loadFlow(AIVERO, flow(serverNode(sim), watchNode({ scope: 'all' })), credentials(sim));
    const seen = collect(helper.getNode('wout'));
    await waitFor(() => (seen.length > 0 ? true : undefined));
    assert.ok(!Array.isArray(seen[0].payload));
    assert.equal(seen[0].change, undefined);
  });

  it(`keeps at most ${MAX_LISTED} sessions, dropping the longest unchanged`, () => {
    const list = new SessionList();
    let rows: Row[] = [];
    for (let i = 0; i <= MAX_LISTED; i++)
      rows = list.change({
        id: `s${i}`,
        name: `n${i}`,
        state: 'Stopped',
        previous: null,
        at: '2026-01-01T00:00:00.000Z',
      });
    assert.equal(rows.length, MAX_LISTED);
    assert.equal(rows[0].id, `s${MAX_LISTED}`);
    assert.ok(!rows.some((r) => r.id === 's0'));
    rows = list.change({
      id: 's1',
      name: 'n1',
      state: 'Started',
      previous: 'Stopped',
      at: '2026-01-01T00:00:01.000Z',
    });
    assert.deepEqual(rows[0], {
      id: 's1',
      name: 'n1',
      state: 'Started',
      previous: 'Stopped',
      at: '2026-01-01 00:00:01',
    });
  });
});
