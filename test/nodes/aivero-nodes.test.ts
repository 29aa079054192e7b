/**
 * aivero-server, aivero-action and aivero-watch in a real Node-RED runtime against the Aivero
 * simulator over real HTTPS and WebSockets: every operation, the override rule, waiting for a
 * state, catchable errors with the original msg, bad configuration, secrets kept out of
 * msgs/status/logs (also from a server that echoes them), one watch message per transition.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Node } from 'node-red';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { collect, nextMessage, waitFor, type Message } from '../support/flow';
import { helper, loadFlow } from '../support/node-red';
import {
  actionNode,
  AIVERO,
  COLOR,
  credentials,
  D435,
  DEPTH,
  flow,
  lastStatus,
  statusesOf,
  serverNode,
  SPEC,
  startSim,
  watchNode,
} from './aivero-helpers';

type Session = { id: string; state: string; name: string };

describe('aivero nodes', function () {
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

  async function sessionRow(id: string): Promise<Session | undefined> {
    const rows = (await sim.query(
      'SELECT id::text AS id, state::text AS state, name FROM recording_sessions WHERE id = $1',
      [id],
    )) as Session[];
    return rows[0];
  }

  async function load(...nodes: Parameters<typeof flow>): Promise<{ act: Node; out: Node; caught: Node }> {
    await loadFlow(AIVERO, flow(...nodes), credentials(sim));
    return { act: helper.getNode('act'), out: helper.getNode('out'), caught: helper.getNode('caught') };
  }

  async function create(act: Node, out: Node, payload: unknown = {}): Promise<Message> {
    const got = nextMessage(out);
    act.receive({ payload });
    return got;
  }

  it('finds a camera by the configured model and serial; msg.camera fills what is left empty', async () => {
    const { act, out } = await load(
      serverNode(sim),
      actionNode({ operation: 'findCamera', ...{ cameraModel: D435.model, cameraSerial: D435.serial } }),
    );
    const cams = await sim.cameras();
    const expected = cams.find((c) => c.serial === D435.serial)?.id;
    let got = nextMessage(out);
    act.receive({ camera: { model: 'REALSENSE_D455', serial: '213622301455' } });
    let msg = await got;
    assert.equal((msg.payload as { id: string }).id, expected, 'the configured camera wins over msg.camera');
    assert.equal((msg.aivero as { operation: string }).operation, 'findCamera');
    await helper.unload();
    const second = await load(serverNode(sim), actionNode({ operation: 'findCamera' }));
    got = nextMessage(second.out);
    second.act.receive({ camera: { model: 'REALSENSE_D455', serial: '213622301455' } });
    msg = await got;
    assert.equal((msg.payload as { id: string }).id, cams.find((c) => c.serial === '213622301455')?.id);
    await waitFor(() => (lastStatus(second.act)?.text === 'found' ? true : undefined));
  });

  it('lists cameras', async () => {
    const { act, out } = await load(serverNode(sim), actionNode({ operation: 'listCameras' }));
    const got = nextMessage(out);
    act.receive({});
    const msg = await got;
    assert.equal((msg.payload as unknown[]).length, (await sim.cameras()).length);
  });

  it('creates a session from the builder (color HEVC + depth Classic, Scheduled), msg.payload overriding the name', async () => {
    const { act, out } = await load(
      serverNode(sim),
      actionNode({ operation: 'createSession', sessionSpec: JSON.stringify(SPEC) }),
    );
    const msg = await create(act, out, { name: 'from-msg', endDate: '+2h' });
    const created = msg.payload as { sessionId: string; state: string; records: { streamIds: string[] }[] };
    assert.equal(created.state, 'Scheduled');
    assert.equal(msg.session, created.sessionId);
    assert.equal(created.records[0].streamIds.length, 2);
    const row = await sessionRow(created.sessionId);
    assert.equal(row?.name, 'from-msg');
    const streams = (await sim.query(
      'SELECT s.type::text AS type, s.encoder::text AS encoder, s.width, s."frameRate" FROM streams s JOIN records r ON r.id = s."recordId" WHERE r."recordingId" = $1 ORDER BY s.type',
      [created.sessionId],
    )) as Array<{ type: string; encoder: string; width: number; frameRate: number }>;
    assert.deepEqual(
      streams.map((s) => [s.type, s.encoder, s.width, s.frameRate]),
      [
        ['color', COLOR.encoder, 1280, 15],
        ['depth', DEPTH.encoder, 1280, 15],
      ],
    );
  });

  it('a builder record without a camera takes msg.camera', async () => {
    const spec = { ...SPEC, state: 'Stopped', records: [{ camera: {}, streams: [COLOR] }] };
    const { act, out } = await load(
      serverNode(sim),
      actionNode({ operation: 'createSession', sessionSpec: JSON.stringify(spec) }),
    );
    const got = nextMessage(out);
    act.receive({ camera: D435 });
    const msg = await got;
    const cams = await sim.cameras();
    assert.equal(
      (msg.payload as { records: { cameraId: string }[] }).records[0].cameraId,
      cams.find((c) => c.serial === D435.serial)?.id,
    );
  });

  it('sets the state from msg.session, gets, lists and deletes the session', async () => {
    const { act, out } = await load(
      serverNode(sim),
      actionNode({
        id: 'mk',
        operation: 'createSession',
        sessionSpec: JSON.stringify({
          ...SPEC,
          name: 'crud',
          state: 'Stopped',
          always: true,
          endDate: undefined,
        }),
        wires: [['act']],
      }),
      actionNode({ operation: 'setState', state: 'Standby', wires: [['get']] }),
      actionNode({ id: 'get', operation: 'getSession', wires: [['list']] }),
      actionNode({ id: 'list', operation: 'listSessions', listName: 'crud', wires: [['del']] }),
      actionNode({ id: 'del', operation: 'deleteSession', wires: [['out']] }),
    );
    void act;
    const got = nextMessage(out);
    helper.getNode('mk').receive({ payload: 1 });
    const msg = await got;
    const id = msg.session as string;
    assert.deepEqual(msg.payload, { id });
    assert.equal(await sessionRow(id), undefined, 'deleted');
    for (const [node, text] of [
      ['get', 'Standby'],
      ['list', '1 sessions'],
      ['del', 'deleted'],
    ])
      await waitFor(() => (lastStatus(helper.getNode(node))?.text === text ? true : undefined)).catch(() => {
        throw new Error(
          `${node}: status ${JSON.stringify(lastStatus(helper.getNode(node)))}, expected ${text}`,
        );
      });
  });

  it('a configured state wins over msg.state; "from msg" takes msg.state', async () => {
    const { act, out } = await load(
      serverNode(sim),
      actionNode({
        id: 'mk',
        operation: 'createSession',
        sessionSpec: JSON.stringify({ ...SPEC, state: 'Stopped' }),
        wires: [['out']],
      }),
      actionNode({ state: 'Standby', wires: [['out']] }),
      actionNode({ id: 'free', state: '', wires: [['out']] }),
    );
    let got = nextMessage(out);
    helper.getNode('mk').receive({});
    const id = (await got).session as string;
    got = nextMessage(out);
    act.receive({ session: id, state: 'Started' });
    await got;
    assert.equal((await sessionRow(id))?.state, 'Standby');
    got = nextMessage(out);
    helper.getNode('free').receive({ session: id, state: 'Stopped' });
    await got;
    assert.equal((await sessionRow(id))?.state, 'Stopped');
  });

  it('waits until a Scheduled session is Started (the device starts it at startDate)', async () => {
    const { act, out } = await load(
      serverNode(sim),
      actionNode({
        operation: 'createSession',
        sessionSpec: JSON.stringify(SPEC),
        wait: true,
        waitState: 'Started',
        waitTimeout: 10,
      }),
    );
    const msg = await create(act, out);
    const meta = msg.aivero as { reached: string; waitedMs: number };
    assert.equal(meta.reached, 'Started');
    assert.equal((await sessionRow(msg.session as string))?.state, 'Started');
  });

  it('a wait that times out is a catchable error with the original msg', async () => {
    const { act, caught } = await load(
      serverNode(sim),
      actionNode({
        operation: 'createSession',
        sessionSpec: JSON.stringify({ ...SPEC, state: 'Stopped' }),
        wait: true,
        waitState: 'Started',
        waitTimeout: 0.3,
      }),
    );
    const got = nextMessage(caught);
    act.receive({ payload: {}, marker: 'mine' });
    const msg = await got;
    assert.equal(msg.marker, 'mine');
    assert.match(
      (msg.error as { message: string }).message,
      /did not reach Started within 0.3 s \(it is Stopped\)/,
    );
  });

  it('an unknown session is a catchable error: status "no such session", the original msg', async () => {
    const { act, caught } = await load(serverNode(sim), actionNode({ state: 'Stopped' }));
    const got = nextMessage(caught);
    act.receive({ session: '00000000-0000-4000-8000-000000000000', marker: 42 });
    const msg = await got;
    assert.equal(msg.marker, 42);
    assert.match((msg.error as { message: string }).message, /no recording session/);
    await waitFor(() => (lastStatus(act)?.text === 'no such session' ? true : undefined));
    assert.equal(lastStatus(act)?.fill, 'red');
  });

  it('bad input fails before any request, naming the msg property', async () => {
    const { act, caught } = await load(serverNode(sim), actionNode({ state: 'Stopped' }));
    for (const [m, pattern] of [
      [{ session: 'not-a-uuid' }, /session id must be a uuid/],
      [{}, /msg\.session/],
      [{ session: { $ne: 1 } }, /msg\.session/],
    ] as const) {
      const got = nextMessage(caught);
      act.receive(m);
      assert.match(((await got).error as { message: string }).message, pattern);
    }
  });

  it('an unknown camera model is refused with the valid ones', async () => {
    const { act, caught } = await load(serverNode(sim), actionNode({ operation: 'findCamera' }));
    const got = nextMessage(caught);
    act.receive({ camera: { model: 'REALSENSE_D999', serial: 'x' } });
    const text = ((await got).error as { message: string }).message;
    assert.match(text, /REALSENSE_D999.*valid values: REALSENSE, REALSENSE_D415/);
  });

  describe('bad configuration', () => {
    const cases: Array<{ what: string; server: Record<string, unknown>; secret?: string; field: RegExp }> = [
      {
        what: 'an endpoint that is not a URL',
        server: { endpoint: 'not a url' },
        field: /aivero-server: endpoint/,
      },
      { what: 'no admin secret', server: {}, secret: '', field: /aivero-server: admin secret is missing/ },
      { what: 'CA text that is not PEM', server: { ca: 'nope' }, field: /aivero-server: CA certificate/ },
      { what: 'an unknown TLS mode', server: { tlsMode: 'maybe' }, field: /aivero-server: TLS trust/ },
      {
        what: 'extra headers that are not JSON',
        server: { headers: '{oops' },
        field: /aivero-server: extra headers/,
      },
      {
        what: 'a header with a line break',
        server: { headers: '{"X-A": "a\\r\\nb: c"}' },
        field: /aivero-server: headers\.x-a/,
      },
      { what: 'a timeout of 0', server: { timeout: 0 }, field: /aivero-server: timeout/ },
    ];
    for (const c of cases) {
      it(`${c.what}: every message gets a ConfigError naming the field, every user node is red`, async () => {
        await loadFlow(
          AIVERO,
          flow(
            serverNode(sim, c.server),
            actionNode({ state: 'Stopped', session: '00000000-0000-4000-8000-000000000000' }),
            watchNode({ scope: 'all' }),
          ),
          credentials(sim, c.secret ?? sim.adminSecret),
        );
        const caught = collect(helper.getNode('caught'));
        for (let i = 0; i < 3; i++) helper.getNode('act').receive({ payload: i });
        await waitFor(() => (caught.length >= 3 ? true : undefined));
        for (const m of caught) assert.match((m.error as { message: string }).message, c.field);
        assert.equal(lastStatus(helper.getNode('act'))?.fill, 'red');
        await waitFor(() => (lastStatus(helper.getNode('watch'))?.fill === 'red' ? true : undefined));
      });
    }
  });

  describe('secrets', () => {
    let echo: Server;
    let echoUrl: string;
    const SECRET = 'sup3r-s3cret-value-0042';

    before(async () => {
      // A server that quotes the credential it was sent in its error, as some proxies do.
      echo = createServer((req, res) => {
        if (req.url?.endsWith('/healthz')) {
          res.end('OK');
          return;
        }
        const sent = String(req.headers['x-hasura-admin-secret'] ?? '');
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            errors: [
              {
                message: `invalid x-hasura-admin-secret "${sent}"`,
                extensions: { code: 'access-denied', path: '$' },
              },
            ],
          }),
        );
      });
      await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
      echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v1/graphql`;
    });
    after(async () => {
      echo.closeAllConnections();
      await new Promise((r) => echo.close(r));
    });

    it('a server echoing the secret: it appears in no msg, status or log', async () => {
      await loadFlow(
        AIVERO,
        flow(
          {
            id: 'srv',
            type: 'aivero-server',
            endpoint: echoUrl,
            auth: 'admin',
            tlsMode: 'verify',
            timeout: 2,
          },
          actionNode({ state: 'Stopped', session: '00000000-0000-4000-8000-000000000000' }),
          watchNode({ scope: 'all' }),
        ),
        { srv: { adminSecret: SECRET } },
      );
      const caught = collect(helper.getNode('caught'));
      helper.getNode('act').receive({ payload: 1 });
      await waitFor(() => (caught.length >= 1 ? true : undefined));
      const act = helper.getNode('act');
      const watch = helper.getNode('watch');
      await waitFor(() => (lastStatus(watch)?.fill === 'red' ? true : undefined));
      const seen = JSON.stringify([caught, statusesOf(act), statusesOf(watch), helper.log().args]);
      assert.match(JSON.stringify(caught), /invalid x-hasura-admin-secret/);
      assert.equal(seen.includes(SECRET), false, 'the secret leaked');
      assert.equal(caught[0].error && (caught[0].error as { source?: unknown }).source !== undefined, true);
    });

    it('a wrong secret against the simulator: auth failed on every node, the secret nowhere', async () => {
      const wrong = 'wrong-secret-for-test-77';
      await loadFlow(
        AIVERO,
        flow(
          serverNode(sim),
          actionNode({ state: 'Stopped', session: '00000000-0000-4000-8000-000000000000' }),
          watchNode({ scope: 'all' }),
        ),
        credentials(sim, wrong),
      );
      const caught = collect(helper.getNode('caught'));
      helper.getNode('act').receive({});
      await waitFor(() => (caught.length >= 1 ? true : undefined));
      // Latched, with the slow re-check of the credential counting down.
      await waitFor(() =>
        /auth failed/.test(lastStatus(helper.getNode('watch'))?.text ?? '') ? true : undefined,
      );
      assert.match(lastStatus(helper.getNode('act'))?.text ?? '', /auth failed/);
      const seen = JSON.stringify([caught, helper.log().args]);
      assert.equal(seen.includes(wrong), false);
      assert.equal(seen.includes(sim.adminSecret), false);
    });
  });

  describe('aivero-watch', () => {
    async function newSession(name: string): Promise<string> {
      await loadFlow(
        AIVERO,
        flow(
          serverNode(sim),
          actionNode({
            operation: 'createSession',
            sessionSpec: JSON.stringify({
              ...SPEC,
              name,
              state: 'Stopped',
              always: true,
              endDate: undefined,
            }),
          }),
        ),
        credentials(sim),
      );
      const got = nextMessage(helper.getNode('out'));
      helper.getNode('act').receive({});
      const id = (await got).session as string;
      await helper.unload();
      return id;
    }

    for (const protocol of ['graphql-transport-ws', 'graphql-ws', 'poll']) {
      it(`${protocol}: one message per transition, each exactly once`, async () => {
        const id = await newSession(`watch-${protocol}`);
        await loadFlow(
          AIVERO,
          flow(
            serverNode(sim),
            watchNode({ session: id, protocol }),
            actionNode({ state: '', session: id, wires: [['out']] }),
          ),
          credentials(sim),
        );
        const seen = collect(helper.getNode('wout'));
        await waitFor(() => (seen.length >= 1 ? true : undefined));
        const expected = ['Standby', 'Started', 'Standby', 'Started', 'Stopped'];
        for (const state of expected) {
          const got = nextMessage(helper.getNode('out'));
          helper.getNode('act').receive({ state });
          await got;
          // Each write is seen before the next (a live query sends the latest result only).
          await waitFor(
            () => ((seen[seen.length - 1].payload as Session).state === state ? true : undefined),
            5000,
          );
        }
        const states = seen.map((m) => m.payload as { state: string; previous: string | null });
        assert.deepEqual(
          states.map((s) => s.state),
          ['Stopped', ...expected],
        );
        assert.deepEqual(
          states.map((s) => s.previous),
          [null, 'Stopped', 'Standby', 'Started', 'Standby', 'Started'],
        );
        const first = seen[0].payload as Record<string, unknown>;
        assert.deepEqual(Object.keys(first).sort(), ['at', 'id', 'name', 'previous', 'state']);
        assert.equal(first.id, id);
        assert.equal((seen[0].aivero as { protocol: string }).protocol, protocol);
        // Under the test helper the catalog is not loaded: the key and its values show.
        const pattern =
          protocol === 'poll'
            ? /status\.polling 0\.1/
            : new RegExp(`status\\.subscribed ${protocol.slice(0, 10)}`);
        await waitFor(() =>
          pattern.test(lastStatus(helper.getNode('watch'))?.text ?? '') ? true : undefined,
        );
      });
    }

    it('all sessions; msg.action stop ends the messages, start (with msg.session) begins again', async () => {
      const id = await newSession('watch-all');
      await loadFlow(
        AIVERO,
        flow(
          serverNode(sim),
          watchNode({ scope: 'session', session: '', autoStart: false }),
          actionNode({ state: '', session: id }),
        ),
        credentials(sim),
      );
      const watch = helper.getNode('watch');
      const seen = collect(helper.getNode('wout'));
      await waitFor(() =>
        lastStatus(watch)?.text === 'aivero-watch.status.stopped' ? true : undefined,
      ).catch(() => {
        throw new Error(JSON.stringify(statusesOf(watch)));
      });
      watch.receive({ action: 'start', session: id });
      await waitFor(() => (seen.length >= 1 ? true : undefined));
      watch.receive({ action: 'stop' });
      await waitFor(() => (lastStatus(watch)?.text === 'aivero-watch.status.stopped' ? true : undefined));
      const got = nextMessage(helper.getNode('out'));
      helper.getNode('act').receive({ state: 'Standby' });
      await got;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(seen.length, 1, 'nothing after stop');
      const caught = collect(helper.getNode('caught'));
      watch.receive({ action: 'pause' });
      await waitFor(() => (caught.length === 1 ? true : undefined));
      assert.match(
        (caught[0].error as { message: string }).message,
        /msg\.action must be "start", "stop" or "restart"/,
      );
      await helper.unload();
      await loadFlow(AIVERO, flow(serverNode(sim), watchNode({ scope: 'all' })), credentials(sim));
      const all = collect(helper.getNode('wout'));
      await waitFor(() => (all.some((m) => (m.payload as Session).id === id) ? true : undefined));
    });
  });
});
