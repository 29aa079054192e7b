/**
 * Refusals in a real Node-RED runtime, through a hostile HTTPS front before the simulator (in its
 * own process): a permission refused for one operation is that call's error, and every later call
 * is sent as usual; a refused credential latches the connection (nothing is sent, each message gets
 * an error of its own), and the slow re-check clears it once the server accepts the credential again.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { AiveroClient } from '../../src/backends/aivero';
import { hasuraError, startHostileFront, type HostileFront } from '../aivero/hostile-front';
import { collect, statusOf, waitFor, type Message } from '../support/flow';
import { helper, loadFlow } from '../support/node-red';
import { actionNode, AIVERO, flow, SPEC, startChildSim, watchNode, type ChildSim } from './aivero-helpers';

const SET_STATE = 'UpdateRecordingSessionState';

describe('aivero nodes: permission and credential refusals', function () {
  this.timeout(60_000);
  let sim: ChildSim;
  let front: HostileFront;
  let direct: AiveroClient;
  let clock: sinon.SinonFakeTimers | undefined;

  before(async () => {
    sim = await startChildSim(['--refetch-ms', '100']);
    front = await startHostileFront({ url: sim.url, ca: sim.ca });
    direct = new AiveroClient({ endpoint: sim.url, adminSecret: sim.adminSecret, tls: { ca: sim.ca } });
  });
  after(async () => {
    await direct.close();
    await front.close();
    await sim.close();
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    front.rules.length = 0;
    await helper.unload();
  });

  async function load(): Promise<void> {
    await loadFlow(
      AIVERO,
      [
        ...flow(
          {
            id: 'srv',
            type: 'aivero-server',
            endpoint: front.url,
            auth: 'admin',
            tlsMode: 'ca',
            ca: front.ca,
            timeout: 5,
          },
          // The simulator starts a Scheduled session at once: stopping it is a change the watch must see.
          actionNode({ id: 'set', state: 'Stopped', wires: [['out']] }),
          actionNode({ id: 'list', operation: 'listSessions', wires: [['listed']] }),
          watchNode({ scope: 'all', session: '' }),
        ),
        { id: 'listed', type: 'helper', z: 'tab', x: 1, y: 1 },
      ],
      { srv: { adminSecret: sim.adminSecret } },
    );
    await waitFor(() => (statusOf(helper.getNode('watch'))?.fill === 'green' ? true : undefined), 10_000);
  }

  /** Sends `msg` to node `id` and resolves with its output or the error a Catch node received. */
  function ask(id: string, msg: Message, outputId: string): Promise<{ out?: Message; caught?: Message }> {
    const out = helper.getNode(outputId);
    const caught = helper.getNode('caught');
    return new Promise((resolve, reject) => {
      // One listener each, both removed at the first answer: a listener left behind would be called
      // for the next message and (removing itself mid-delivery) keep the next listener from it.
      const finish = (answer: { out?: Message; caught?: Message } | Error): void => {
        clearTimeout(timer);
        out.removeListener('input', onOut);
        caught.removeListener('input', onCaught);
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      };
      const onOut = (m: Message): void => finish({ out: m });
      const onCaught = (m: Message): void => finish({ caught: m });
      const timer = setTimeout(() => finish(new Error(`no answer to ${String(msg._msgid)}`)), 8000);
      out.on('input', onOut);
      caught.on('input', onCaught);
      helper.getNode(id).receive(msg);
    });
  }

  const errorOf = (answer: { caught?: Message }): string =>
    String((answer.caught?.error as { message?: string } | undefined)?.message ?? 'no error');

  for (const [code, text] of [
    ['permission-error', 'check constraint of an insert permission has failed'],
    ['access-denied', 'you may not change the state of this recording session'],
  ]) {
    it(`${code} answered once to setState: that message's error, the next calls reach the server, the watch goes on`, async () => {
      const session = (await direct.createSession(SPEC)).sessionId;
      await load();
      const watched = collect(helper.getNode('wout'));
      let refused = 0;
      front.rules.push((req) =>
        req.operation === SET_STATE && refused++ === 0
          ? hasuraError(code, text, '$.selectionSet')
          : undefined,
      );
      const first = await ask('set', { _msgid: 'set-1', session }, 'out');
      assert.equal(first.caught?._msgid, 'set-1');
      assert.match(
        errorOf(first),
        new RegExp(`^AiveroPermissionError: setting session ${session} to Stopped: `),
      );
      assert.match(errorOf(first), new RegExp(`\\(${code}\\)$`));
      await waitFor(() => (statusOf(helper.getNode('set'))?.text === 'permission denied' ? true : undefined));

      const before = front.seen.length;
      const listed = await ask('list', { _msgid: 'list-1' }, 'listed');
      assert.ok(Array.isArray(listed.out?.payload), errorOf(listed));
      const again = await ask('set', { _msgid: 'set-2', session }, 'out');
      assert.equal((again.out?.payload as { state?: string } | undefined)?.state, 'Stopped', errorOf(again));
      const reached = front.seen.slice(before).map((r) => r.operation);
      assert.deepEqual(
        reached.filter((o) => o !== 'AiveroIntrospection'),
        ['ListRecordingSessions', SET_STATE],
        'both later calls reached the server',
      );

      // The watch was never halted: it still reports the state the second setState wrote.
      await waitFor(() =>
        watched.find(
          (m) =>
            (m.payload as { id?: string; state?: string }).id === session &&
            (m.payload as { state?: string }).state === 'Stopped',
        ),
      );
      assert.doesNotMatch(statusOf(helper.getNode('watch'))?.text ?? '', /auth failed/);
    });
  }

  it('a refused credential latches: nothing is sent, each message gets its own error; the re-check clears it', async () => {
    await load();
    let refusing = false;
    front.rules.push((req) =>
      refusing && req.path.endsWith('/graphql')
        ? hasuraError('access-denied', 'invalid x-hasura-admin-secret/x-hasura-access-key')
        : undefined,
    );
    // The re-check is minutes away at most; the clock is driven past it instead of waiting.
    clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout'],
      shouldAdvanceTime: true,
      shouldClearNativeTimers: true,
    });
    refusing = true;
    const refused = await ask('list', { _msgid: 'list-1' }, 'listed');
    assert.match(errorOf(refused), /^AiveroAuthError: listing sessions: invalid x-hasura-admin-secret/);
    await waitFor(() => (/auth failed/.test(statusOf(helper.getNode('set'))?.text ?? '') ? true : undefined));

    const before = front.seen.length;
    const notSent = await ask(
      'set',
      { _msgid: 'set-1', session: '6b1f0a4e-0000-4000-8000-000000000001' },
      'out',
    );
    assert.equal(notSent.caught?._msgid, 'set-1');
    assert.match(
      errorOf(notSent),
      /^AuthError: setState: not sent, the server refused the credentials \(listing sessions: /,
    );
    const alsoNotSent = await ask('list', { _msgid: 'list-2' }, 'listed');
    assert.match(errorOf(alsoNotSent), /^AuthError: listSessions: not sent/);
    assert.equal(front.seen.length, before, 'no request reached the server while latched');

    refusing = false;
    await clock.tickAsync(31_000);
    await waitFor(() => (statusOf(helper.getNode('list'))?.fill === 'green' ? true : undefined), 10_000);
    const listed = await ask('list', { _msgid: 'list-3' }, 'listed');
    assert.ok(Array.isArray(listed.out?.payload), errorOf(listed));
  });
});
