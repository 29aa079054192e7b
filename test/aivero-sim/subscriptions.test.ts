/**
 * Live queries over both WebSocket protocols: the first result at once, then the whole result again
 * only when it changed (Hasura's refetch-and-compare), auth in connection_init, errors in Hasura's shape.
 */
import assert from 'node:assert/strict';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { closeAgent, eventually, gql, startSim } from './helpers';
import { LegacySocket, collect, transportClient } from './ws-helpers';

const SET_STATE = `mutation($id: uuid!, $state: RecordingSessionState_enum!) {
  updateRecordingSession(pk_columns: {id: $id}, _set: {state: $state}) { id }
}`;
const WATCH = 'subscription($id: uuid!) { recordingSession(id: $id) { id state } }';

async function newSession(sim: AiveroSimulator, name: string): Promise<string> {
  const d = await gql<{ insertRecordingSession: { id: string } }>(
    sim,
    `mutation($name: String!) { insertRecordingSession(object: {name: $name, startDate: "1-01-01T00:00:00",
      endDate: "9999-12-31T23:59:59", mode: Storage, state: Stopped, maxTimeSeconds: 0, maxSizeMegabytes: 0}) { id } }`,
    { name },
  );
  return d.insertRecordingSession.id;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('aivero simulator: subscriptions', function () {
  this.timeout(60000);
  let sim: AiveroSimulator;
  before(async () => {
    sim = await startSim({ refetchMs: 40, armingLatencyMs: 0 });
  });
  after(async () => {
    await closeAgent(sim);
    await sim.close();
  });

  describe('graphql-transport-ws (graphql-ws client)', () => {
    it('sends the first result, then one result per change and none while nothing changes', async () => {
      const id = await newSession(sim, 'transport');
      const client = transportClient(sim);
      try {
        const sub = collect<{ data: { recordingSession: { state: string } } }>(client, WATCH, { id });
        await eventually(async () => (sub.values.length === 1 ? true : undefined), 5000, 'first result');
        assert.equal(sub.values[0].data.recordingSession.state, 'Stopped');
        // Ten refetch intervals without a change: still exactly one result.
        await delay(400);
        assert.equal(sub.values.length, 1);
        await gql(sim, SET_STATE, { id, state: 'Standby' });
        await eventually(async () => (sub.values.length === 2 ? true : undefined), 5000, 'second result');
        assert.equal(sub.values[1].data.recordingSession.state, 'Standby');
        await delay(400);
        assert.equal(sub.values.length, 2);
        sub.dispose();
        await eventually(async () => (sim.liveQueryCount === 0 ? true : undefined), 2000, 'live query ended');
      } finally {
        await client.dispose();
      }
    });

    it('reports a bad subscription as an error with Hasura extensions', async () => {
      const client = transportClient(sim);
      try {
        const sub = collect(client, 'subscription { recordingSessions { nope } }');
        await eventually(async () => (sub.errors.length ? true : undefined), 5000, 'error');
        const errs = sub.errors[0] as Array<{ message: string; extensions: { code: string; path: string } }>;
        assert.equal(errs[0].extensions.code, 'validation-failed');
        assert.equal(errs[0].message, "field 'nope' not found in type: 'RecordingSession'");
      } finally {
        await client.dispose();
      }
    });

    it('closes with 4400 and the reason when connection_init carries a wrong secret', async () => {
      let closed: { code: number; reason: string } | undefined;
      const client = transportClient(
        sim,
        { 'x-hasura-admin-secret': 'wrong' },
        { onClose: (code, reason) => (closed = { code, reason }) },
      );
      try {
        const sub = collect(client, WATCH, { id: '00000000-0000-0000-0000-000000000000' });
        await eventually(async () => closed, 5000, 'close');
        assert.deepEqual(closed, { code: 4400, reason: 'invalid x-hasura-admin-secret/x-hasura-access-key' });
        assert.equal(sub.values.length, 0);
      } finally {
        await client.dispose();
      }
    });

    it('runs queries and mutations once over the socket', async () => {
      const client = transportClient(sim);
      try {
        const q = collect<{ data: { cameras: unknown[] } }>(client, '{ cameras { id } }');
        await eventually(async () => (q.completed ? true : undefined), 5000, 'complete');
        assert.equal(q.values.length, 1);
        assert.ok(q.values[0].data.cameras.length >= 5);
      } finally {
        await client.dispose();
      }
    });
  });

  for (const protocol of ['graphql-ws', undefined]) {
    describe(`legacy Apollo protocol (${protocol ? `subprotocol ${protocol}` : 'no subprotocol named'})`, () => {
      it('acks connection_init, streams changes as data, completes on stop', async () => {
        const id = await newSession(sim, `legacy-${protocol ?? 'none'}`);
        const s = new LegacySocket(sim, protocol);
        try {
          await s.opened();
          assert.equal(s.ws.protocol, protocol ?? '');
          s.send({
            type: 'connection_init',
            payload: { headers: { 'x-hasura-admin-secret': sim.adminSecret } },
          });
          await eventually(async () => (s.of('connection_ack').length ? true : undefined), 5000, 'ack');
          assert.ok(s.of('ka').length >= 1);
          s.send({ type: 'start', id: '1', payload: { query: WATCH, variables: { id } } });
          await eventually(
            async () => (s.of('data', '1').length === 1 ? true : undefined),
            5000,
            'first data',
          );
          assert.deepEqual(s.of('data', '1')[0].payload, {
            data: { recordingSession: { id, state: 'Stopped' } },
          });
          await delay(300);
          assert.equal(s.of('data', '1').length, 1);
          await gql(sim, SET_STATE, { id, state: 'Standby' });
          await eventually(
            async () => (s.of('data', '1').length === 2 ? true : undefined),
            5000,
            'second data',
          );
          assert.deepEqual(s.of('data', '1')[1].payload, {
            data: { recordingSession: { id, state: 'Standby' } },
          });
          s.send({ type: 'stop', id: '1' });
          await eventually(async () => (s.of('complete', '1').length ? true : undefined), 5000, 'complete');
          await gql(sim, SET_STATE, { id, state: 'Stopped' });
          await delay(200);
          assert.equal(s.of('data', '1').length, 2);
          assert.equal(sim.liveQueryCount, 0);
        } finally {
          s.close();
        }
      });

      it('answers a wrong secret with connection_error (the message as payload)', async () => {
        const s = new LegacySocket(sim, protocol);
        try {
          await s.opened();
          s.send({ type: 'connection_init', payload: { headers: { 'x-hasura-admin-secret': 'nope' } } });
          await eventually(async () => s.closed, 5000, 'close');
          assert.deepEqual(
            s.of('connection_error')[0].payload,
            'invalid x-hasura-admin-secret/x-hasura-access-key',
          );
          assert.equal(s.of('connection_ack').length, 0);
        } finally {
          s.close();
        }
      });

      it('refuses start before connection_init and a second start with a running id', async () => {
        const s = new LegacySocket(sim, protocol);
        try {
          await s.opened();
          s.send({ type: 'start', id: 'early', payload: { query: '{ cameras { id } }' } });
          await eventually(
            async () => (s.of('error', 'early').length ? true : undefined),
            5000,
            'early error',
          );
          assert.equal(
            (s.of('error', 'early')[0].payload as { extensions: { code: string } }).extensions.code,
            'start-failed',
          );
          s.send({ type: 'connection_init', payload: {} }); // no headers: role public
          s.send({ type: 'start', id: 'x', payload: { query: 'subscription { cameras { serial } }' } });
          s.send({ type: 'start', id: 'x', payload: { query: 'subscription { cameras { serial } }' } });
          await eventually(
            async () => (s.of('error', 'x').length && s.of('data', 'x').length ? true : undefined),
            5000,
            'answers',
          );
          assert.match((s.of('error', 'x')[0].payload as { message: string }).message, /already exists/);
          s.send({ type: 'connection_terminate' });
          await eventually(async () => s.closed, 5000, 'closed');
          assert.equal(s.closed?.code, 1000);
          await eventually(async () => (sim.liveQueryCount === 0 ? true : undefined), 2000, 'no live query');
        } finally {
          s.close();
        }
      });

      it('answers a bad operation with error (one Hasura error) and a query with data + complete', async () => {
        const s = new LegacySocket(sim, protocol);
        try {
          await s.opened();
          s.send({
            type: 'connection_init',
            payload: { headers: { 'x-hasura-admin-secret': sim.adminSecret } },
          });
          s.send({ type: 'start', id: 'bad', payload: { query: 'subscription { cameras { nope } }' } });
          s.send({ type: 'start', id: 'q', payload: { query: '{ cameras { model } }' } });
          await eventually(
            async () => (s.of('error', 'bad').length && s.of('complete', 'q').length ? true : undefined),
            5000,
            'answers',
          );
          assert.deepEqual(s.of('error', 'bad')[0].payload, {
            message: "field 'nope' not found in type: 'Camera'",
            extensions: { path: '$.selectionSet.cameras.selectionSet.nope', code: 'validation-failed' },
          });
          const data = s.of('data', 'q')[0].payload as { data: { cameras: unknown[] } };
          assert.ok(data.data.cameras.length >= 5);
        } finally {
          s.close();
        }
      });
    });
  }

  it('narrows the protocols for fallback tests: legacy only, transport only, none', async () => {
    const legacyWorks = async (): Promise<boolean> => {
      const s = new LegacySocket(sim, 'graphql-ws');
      try {
        await s.opened();
        return true;
      } catch {
        return false;
      } finally {
        s.close();
      }
    };
    const transportWorks = async (): Promise<boolean> => {
      let closed = false;
      const client = transportClient(sim, undefined, { onClose: () => (closed = true) });
      try {
        const q = collect(client, '{ cameras { id } }');
        await eventually(
          async () => (q.completed || q.errors.length || closed ? true : undefined),
          5000,
          'answer',
        );
        return q.values.length === 1;
      } finally {
        await client.dispose();
      }
    };
    try {
      sim.setWebSocketMode('legacy');
      assert.deepEqual([await legacyWorks(), await transportWorks()], [true, false]);
      sim.setWebSocketMode('transport');
      assert.deepEqual([await legacyWorks(), await transportWorks()], [false, true]);
      sim.setWebSocketMode('off');
      assert.deepEqual([await legacyWorks(), await transportWorks()], [false, false]);
      sim.setWebSocketMode('both');
      assert.deepEqual([await legacyWorks(), await transportWorks()], [true, true]);
    } finally {
      sim.setWebSocketMode('both');
    }
  });

  it('server stop cuts every socket and ends every live query; restart serves subscriptions again', async () => {
    const id = await newSession(sim, 'restart');
    const s = new LegacySocket(sim, 'graphql-ws');
    const client = transportClient(sim);
    const sub = collect(client, WATCH, { id });
    try {
      await s.opened();
      s.send({ type: 'connection_init', payload: { headers: { 'x-hasura-admin-secret': sim.adminSecret } } });
      s.send({ type: 'start', id: '1', payload: { query: WATCH, variables: { id } } });
      await eventually(
        async () => (s.of('data').length && sub.values.length ? true : undefined),
        5000,
        'data',
      );
      assert.equal(sim.liveQueryCount, 2);
      await sim.stop();
      await eventually(async () => s.closed, 5000, 'legacy socket closed');
      await eventually(
        async () => (sub.errors.length || sub.completed ? true : undefined),
        5000,
        'transport closed',
      );
      assert.equal(sim.liveQueryCount, 0);
      await sim.restart();
      const again = new LegacySocket(sim, undefined);
      try {
        await again.opened();
        again.send({
          type: 'connection_init',
          payload: { headers: { 'x-hasura-admin-secret': sim.adminSecret } },
        });
        again.send({ type: 'start', id: '1', payload: { query: WATCH, variables: { id } } });
        await eventually(
          async () => (again.of('data').length ? true : undefined),
          5000,
          'data after restart',
        );
        assert.deepEqual(again.of('data')[0].payload, {
          data: { recordingSession: { id, state: 'Stopped' } },
        });
      } finally {
        again.close();
      }
    } finally {
      s.close();
      await client.dispose();
    }
  });
});
