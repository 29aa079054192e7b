/**
 * The Aivero simulator's own clock: a configured offset and drift show in the HTTP `Date` header,
 * in the row times Postgres writes (`createdAt`, `updatedAt`) and in the times and decisions of the
 * device model. Real HTTP on loopback; times are checked against local times taken around each call.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { startSimulators, UsageError } from '../../src/simulators/cli';
import type { AiveroSimulator } from '../../src/simulators/aivero';
import { startSim } from './helpers';

interface Timed<T> {
  data: T;
  /** The Date header, epoch ms (whole seconds). */
  date: number;
  sent: number;
  received: number;
}

const agent = new Agent({ keepAliveTimeout: 10 });

async function graphql<T>(
  url: string,
  secret: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Timed<T>> {
  const sent = Date.now();
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hasura-admin-secret': secret },
    body: JSON.stringify({ query, variables }),
    dispatcher: agent,
  });
  const body = (await res.body.json()) as { data?: T; errors?: unknown };
  const received = Date.now();
  if (!body.data) throw new Error(`GraphQL error: ${JSON.stringify(body).slice(0, 300)}`);
  assert.equal(typeof res.headers.date, 'string', 'every answer has a Date header');
  return { data: body.data, date: Date.parse(res.headers.date as string), sent, received };
}

/** A `timestamp without time zone` in UTC, as the server writes it, to epoch ms. */
const utc = (timestamp: string): number => Date.parse(`${timestamp}Z`);
const ts = (ms: number): string => new Date(ms).toISOString().slice(0, 23);

/** The server time `t` (ms) was read between `sent` and `received` (ms) on our clock. */
function assertLead(t: number, a: { sent: number; received: number }, lead: number, resolution = 0): void {
  const low = t - a.received;
  const high = t - a.sent + resolution;
  // 2 ms: Postgres and JavaScript round differently (µs against ms).
  assert.ok(low - 2 <= lead && lead <= high + 2, `lead ${lead} ms outside the measured [${low}, ${high}] ms`);
}

interface Session {
  id: string;
  state: string;
  createdAt: string;
  updatedAt: string;
}
const FIELDS = 'id state createdAt updatedAt';

async function insert(sim: AiveroSimulator, fields: Record<string, unknown>): Promise<Timed<Session>> {
  const cameraId = (await sim.cameras())[0].id;
  const answer = await graphql<{ insertRecordingSession: Session }>(
    sim.url,
    sim.adminSecret,
    `mutation($o: RecordingSession_insert_input!) { insertRecordingSession(object: $o) { ${FIELDS} } }`,
    {
      o: {
        name: 'clock',
        startDate: ts(Date.now() - 60_000),
        endDate: ts(Date.now() + 3_600_000),
        storage: { data: { totalSize: 0, estimatedSize: 0 } },
        records: { data: [{ cameraId }] },
        ...fields,
      },
    },
  );
  return { ...answer, data: answer.data.insertRecordingSession };
}

async function row(sim: AiveroSimulator, id: string): Promise<Session> {
  const rows = (await sim.query(
    `SELECT id, state, to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "createdAt",
            to_char("updatedAt", 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "updatedAt"
       FROM recording_sessions WHERE id = $1`,
    [id],
  )) as Session[];
  return rows[0];
}

describe('aivero simulator: its own clock', function () {
  this.timeout(60_000);
  let sim: AiveroSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  after(() => agent.close());

  it('Date header, createdAt and updatedAt run 2.5 s ahead of the local clock', async () => {
    sim = await startSim({ tls: false, clockOffsetMs: 2500, clockDriftPpm: 50, deviceTickMs: 3_600_000 });
    const created = await insert(sim, {});
    assertLead(created.date, created, 2500, 1000);
    assertLead(utc(created.data.createdAt), created, 2500);
    assertLead(utc(created.data.updatedAt), created, 2500);

    const updated = await graphql<{ updateRecordingSession: Session }>(
      sim.url,
      sim.adminSecret,
      `mutation($id: uuid!) { updateRecordingSession(pk_columns: {id: $id}, _set: {name: "renamed"}) { ${FIELDS} } }`,
      { id: created.data.id },
    );
    assertLead(utc(updated.data.updateRecordingSession.updatedAt), updated, 2500);
    assert.equal(updated.data.updateRecordingSession.createdAt, created.data.createdAt);
  });

  it('the device model decides and writes by its own clock', async () => {
    sim = await startSim({ tls: false, clockOffsetMs: 2500, deviceTickMs: 3_600_000 });
    // Due in 1 s by our clock, already due by the server's (2.5 s ahead).
    const due = await insert(sim, { state: 'Scheduled', startDate: ts(Date.now() + 1000) });
    // Due in 5 s by our clock, in 2.5 s by the server's: not yet.
    const later = await insert(sim, { state: 'Scheduled', startDate: ts(Date.now() + 5000) });
    const before = Date.now();
    await sim.deviceTick();
    const after = Date.now();
    const moved = await row(sim, due.data.id);
    assert.equal(moved.state, 'Started');
    assertLead(utc(moved.updatedAt), { sent: before, received: after }, 2500);
    assert.equal((await row(sim, later.data.id)).state, 'Scheduled');
  });

  it('without clock options, its times are the local time (as before)', async () => {
    sim = await startSim({ tls: false, deviceTickMs: 3_600_000 });
    const created = await insert(sim, {});
    assertLead(created.date, created, 0, 1000);
    assertLead(utc(created.data.createdAt), created, 0);
    assert.equal(sim.clock.lead(), 0);
  });

  it('a drift of 1e5 ppm makes its lead grow by a tenth of the elapsed time, in Postgres and in the device', async () => {
    sim = await startSim({ tls: false, clockDriftPpm: 1e5, deviceTickMs: 3_600_000 });
    const first = await insert(sim, { state: 'Scheduled' });
    const tick1 = { sent: Date.now(), received: 0 };
    await sim.deviceTick();
    tick1.received = Date.now();
    // Let 1.5 s of local time pass, asking the server meanwhile (a condition, not a sleep).
    let last = await insert(sim, { state: 'Scheduled' });
    while (last.received - first.received < 1500) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      last = await insert(sim, { state: 'Scheduled' });
    }
    const tick2 = { sent: Date.now(), received: 0 };
    await sim.deviceTick();
    tick2.received = Date.now();

    const growth = (
      t1: number,
      a1: { sent: number; received: number },
      t2: number,
      a2: { sent: number; received: number },
    ): void => {
      const low = t2 - a2.received - (t1 - a1.sent);
      const high = t2 - a2.sent - (t1 - a1.received);
      const expected = 0.1 * ((a2.sent + a2.received - a1.sent - a1.received) / 2);
      const slack = 0.1 * (a2.received - a2.sent + a1.received - a1.sent) + 2;
      assert.ok(
        low <= expected + slack && high >= expected - slack,
        `lead grew by [${low}, ${high}] ms; 1e5 ppm gives ${expected} ms`,
      );
      assert.ok(high >= 140, 'the lead really grows');
    };
    // Postgres: createdAt of the first and the last row.
    growth(utc(first.data.createdAt), first, utc(last.data.createdAt), last);
    // The device model (JavaScript): when it started the first and the last session.
    const started1 = utc((await row(sim, first.data.id)).updatedAt);
    const started2 = utc((await row(sim, last.data.id)).updatedAt);
    growth(started1, tick1, started2, tick2);
  });

  it('takes --clock-offset-ms and --clock-drift-ppm; bad values are usage errors', async () => {
    const [handle] = await startSimulators(['aivero'], {
      port: '0',
      tls: 'false',
      'admin-secret': 'clock-secret',
      // Beyond the Date header's one second, so the check tells the clock from the host's.
      'clock-offset-ms': '-2500',
      'clock-drift-ppm': '50',
    });
    try {
      const answer = await graphql<{ cameras: unknown[] }>(
        handle.endpoints.graphql,
        'clock-secret',
        '{ cameras { id createdAt } }',
      );
      assertLead(answer.date, answer, -2500, 1000);
    } finally {
      await handle.close();
    }
    for (const [name, value] of [
      ['clock-offset-ms', 'late'],
      ['clock-drift-ppm', '-1e6'],
    ]) {
      await assert.rejects(
        startSimulators(['aivero'], { port: '0', [name]: value }),
        (err: Error) => err instanceof UsageError && new RegExp(`invalid --${name}`).test(err.message),
      );
    }
  });
});
