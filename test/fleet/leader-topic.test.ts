/**
 * A standby that never double-fires: two Node-RED programs run the same flow (a recorder-schedule
 * firing every 2 s in leader-topic mode, core MQTT nodes) against a real Mosquitto, each with its own
 * RECORDERS_INSTANCE. Exactly one fires; the active one killed with SIGKILL, the broker publishes its
 * last will and the standby takes over, sends the firing that fell due meanwhile once (fire once
 * late) and goes on; no scheduled time is ever published twice. The failover times are printed.
 */
import assert from 'node:assert/strict';
import { startMosquitto, type Mosquitto } from '../support/fleet/mosquitto';
import { watchMqtt, type MqttWatch, type Seen } from '../support/fleet/mqtt-watch';
import { startNodeRedProcess, type NodeRedProcess } from '../support/fleet/node-red-process';

const LEADER_TOPIC = 'recorders/rigs/rig-1/leader/tick';
const FIRINGS = 'test/firings';
const ROLES = 'test/roles';
/** The brokers' keepalive (s): the bound for a cut network; a killed process is noticed at once. */
const KEEPALIVE_S = 5;
/** "A few seconds": the claim's settle (1 s), its connection and the delivery on a loaded machine. */
const FEW_S = 4;
/**
 * Mosquitto 2.0 checks its clients' keepalive now and then, not at the instant: a silent client's
 * will came 7.3 to 12.3 s after it hung at keepalive 5 s (1.5 keepalives = 7.5 s).
 */
const BROKER_CHECK_S = 5;

interface Firing {
  instance: string;
  scheduledAt: number;
  catchUp: boolean;
  at: number;
}

/** One instance's flow: the schedule follows the leader topic; firings and roles go to MQTT. */
function scheduleFlow(port: number): Array<Record<string, unknown>> {
  const broker = (id: string, autoConnect: boolean): Record<string, unknown> => ({
    id,
    type: 'mqtt-broker',
    name: `${id} broker`,
    broker: '127.0.0.1',
    port: String(port),
    clientid: '',
    autoConnect,
    usetls: false,
    protocolVersion: '5',
    keepalive: String(KEEPALIVE_S),
    cleansession: true,
    autoUnsubscribe: true,
    birthTopic: '',
    closeTopic: '',
    willTopic: '',
  });
  const publish = (id: string, brokerId: string, topic: string): Record<string, unknown> => ({
    id,
    type: 'mqtt out',
    z: 'tab',
    broker: brokerId,
    topic,
    qos: '1',
    retain: '',
    wires: [],
  });
  return [
    { id: 'tab', type: 'tab', label: 'leader topic' },
    broker('lab', true),
    broker('leadership', false),
    {
      id: 'records',
      type: 'mqtt in',
      z: 'tab',
      broker: 'lab',
      topic: LEADER_TOPIC,
      qos: '1',
      datatype: 'auto-detect',
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [['schedule']],
    },
    {
      id: 'schedule',
      type: 'recorder-schedule',
      z: 'tab',
      name: 'tick',
      schedules: [
        {
          name: 'tick',
          expression: '*/2 * * * * *',
          timeZone: '',
          relative: false,
          topic: 'tick',
          payload: '',
          payloadType: 'date',
        },
      ],
      dst: 'auto',
      missed: 'fireOnceLate',
      role: 'leader',
      leaderTopic: LEADER_TOPIC,
      instance: '',
      store: 'none',
      outputs: 3,
      wires: [['firing'], ['role'], ['claims']],
    },
    {
      id: 'firing',
      type: 'change',
      z: 'tab',
      rules: [
        {
          t: 'set',
          p: 'payload',
          pt: 'msg',
          to: '{"instance": $env("RECORDERS_INSTANCE"), "scheduledAt": schedule.scheduledAt, "catchUp": schedule.catchUp = true}',
          tot: 'jsonata',
        },
      ],
      wires: [['publish-firing']],
    },
    publish('publish-firing', 'lab', FIRINGS),
    {
      id: 'role',
      type: 'change',
      z: 'tab',
      rules: [
        {
          t: 'set',
          p: 'payload',
          pt: 'msg',
          to: '{"instance": $env("RECORDERS_INSTANCE"), "role": payload.role}',
          tot: 'jsonata',
        },
      ],
      wires: [['publish-role']],
    },
    publish('publish-role', 'lab', ROLES),
    publish('claims', 'leadership', ''),
  ];
}

function firings(seen: Seen[]): Firing[] {
  return seen
    .filter((m) => m.topic === FIRINGS)
    .map((m) => ({ ...(JSON.parse(m.payload) as Omit<Firing, 'at'>), at: m.at }));
}

function roleSeen(seen: Seen[], instance: string, role: string, since = 0): Seen | undefined {
  return seen.find((m) => {
    if (m.topic !== ROLES || m.at < since) return false;
    const p = JSON.parse(m.payload) as { instance?: string; role?: string };
    return p.instance === instance && p.role === role;
  });
}

function assertNeverTwice(all: Firing[]): void {
  const times = all.map((f) => f.scheduledAt);
  const twice = times.filter((t, i) => times.indexOf(t) !== i);
  assert.deepEqual(
    twice.map((t) => new Date(t).toISOString()),
    [],
    'a scheduled time was published twice',
  );
}

describe('leader topic: two Node-RED programs, one schedule, a SIGKILL', function () {
  this.timeout(120_000);
  let broker: Mosquitto;
  let watch: MqttWatch | undefined;
  const reds: NodeRedProcess[] = [];
  /** Set by the first test: the instance killed there, and the one that took over. */
  let killed = '';
  let leading: NodeRedProcess | undefined;

  before(async () => {
    broker = await startMosquitto();
    watch = await watchMqtt(broker.url, [FIRINGS, ROLES, LEADER_TOPIC]);
  });
  after(async () => {
    await watch?.close();
    for (const red of reds) await red.stop();
    await broker.stop();
  });

  it('fires every firing once, from the active instance; the standby takes over from a killed one', async () => {
    const w = watch as MqttWatch;
    const started = await Promise.all(
      ['rig-1-a', 'rig-1-b'].map((id) =>
        startNodeRedProcess({ name: id, flow: scheduleFlow(broker.port), env: { RECORDERS_INSTANCE: id } }),
      ),
    );
    reds.push(...started);
    const byId = new Map(started.map((red) => [red.name, red]));

    // Both claim the vacant topic together; one ends active and fires three firings alone.
    await w.waitFor('three firings', (all) => firings(all).length >= 3, 30_000);
    const first = firings(w.seen);
    const leader = first[0].instance;
    const standby = leader === 'rig-1-a' ? 'rig-1-b' : 'rig-1-a';
    assert.deepEqual(
      first.filter((f) => f.instance !== leader),
      [],
      'only the active instance fires',
    );
    assert.ok(roleSeen(w.seen, leader, 'active'), 'the leader says it is active');
    assert.equal(roleSeen(w.seen, standby, 'active'), undefined, 'the standby never was active');
    const record = [...w.seen].reverse().find((m) => m.topic === LEADER_TOPIC);
    assert.equal((JSON.parse(record?.payload ?? '{}') as { leader?: string }).leader, leader);

    // Kill it half a period before a firing, so that firing falls due while the standby takes over.
    const count = firings(w.seen).length;
    await w.waitFor('the next firing', (all) => firings(all).length > count, 10_000);
    const last = firings(w.seen).at(-1) as Firing;
    const due = last.scheduledAt + 2000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - 500 - Date.now())));
    const killedAt = Date.now();
    await (byId.get(leader) as NodeRedProcess).kill();

    await w.waitFor(
      'a firing by the standby',
      (all) => firings(all).some((f) => f.instance === standby),
      30_000,
    );
    await w.waitFor('the standby active', (all) => roleSeen(all, standby, 'active') !== undefined, 10_000);
    const takeover = firings(w.seen).find((f) => f.instance === standby) as Firing;
    const activeAt = (roleSeen(w.seen, standby, 'active') as Seen).at;
    console.log(
      `      failover: kill → standby active ${activeAt - killedAt} ms, kill → its first firing ` +
        `${takeover.at - killedAt} ms (${takeover.catchUp ? 'missed firing, sent late' : 'on time'}; keepalive ${KEEPALIVE_S} s)`,
    );
    const bound = (KEEPALIVE_S + FEW_S) * 1000;
    assert.ok(activeAt - killedAt < bound, `standby active within keepalive + ${FEW_S} s`);
    assert.ok(takeover.at - killedAt < bound, `standby fired within keepalive + ${FEW_S} s`);

    // The firing that fell due during the takeover is sent once (late if it was missed), then on.
    const seenBefore = firings(w.seen).length;
    await w.waitFor('two more firings', (all) => firings(all).length >= seenBefore + 2, 10_000);
    const all = firings(w.seen);
    assertNeverTwice(all);
    assert.ok(
      all.some((f) => f.scheduledAt === due),
      `the firing due at ${new Date(due).toISOString()} was sent (by one of them)`,
    );
    killed = leader;
    leading = byId.get(standby);
    const afterKill = all.filter((f) => f.at > killedAt + 100);
    assert.deepEqual(
      afterKill.filter((f) => f.instance !== standby),
      [],
      'after the kill only the standby fires',
    );
    // Every two-second slot is there exactly once: before the kill from the first firing on time (the
    // claim at deploy sent one missed firing late, by the policy), after it from the takeover's firing.
    const continuous = (list: Firing[], what: string): void => {
      const times = list.map((f) => f.scheduledAt).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++)
        assert.equal(times[i] - times[i - 1], 2000, `${what}: a firing missed`);
    };
    continuous(
      all.filter((f) => f.instance === leader && !f.catchUp),
      'the first leader',
    );
    continuous(
      all.filter((f) => f.instance === standby),
      'the standby after the takeover',
    );
  });

  it('a leader that hangs (SIGSTOP) stops before its will hands over; resumed, nothing fires twice', async () => {
    const w = watch as MqttWatch;
    assert.ok(leading && killed, 'the first test left a leader');
    const hung = leading;
    // The killed instance runs again: it reads the leader's record and follows it.
    const again = await startNodeRedProcess({
      name: `${killed}-again`,
      flow: scheduleFlow(broker.port),
      env: { RECORDERS_INSTANCE: killed },
    });
    reds.push(again);
    const restartedAt = Date.now();
    await w.waitFor(
      'two firings after the restart',
      (all) => firings(all).filter((f) => f.at > restartedAt).length >= 2,
      10_000,
    );
    assert.deepEqual(
      firings(w.seen).filter((f) => f.at > restartedAt && f.instance !== hung.name),
      [],
      'the restarted instance follows',
    );

    // The leader hangs: its sockets stay open, the broker hears nothing and gives up after 1.5
    // keepalives, publishing its will; the restarted instance takes over.
    const pausedAt = Date.now();
    hung.pause();
    await w.waitFor(
      'the other one active',
      (all) => roleSeen(all, killed, 'active', pausedAt) !== undefined,
      30_000,
    );
    await w.waitFor(
      'a firing by it',
      (all) => firings(all).some((f) => f.instance === killed && f.at > pausedAt),
      10_000,
    );
    const activeAt = (roleSeen(w.seen, killed, 'active', pausedAt) as Seen).at;
    const firstFiring = firings(w.seen).find((f) => f.instance === killed && f.at > pausedAt) as Firing;
    const will = w.seen.find(
      (m) => m.topic === LEADER_TOPIC && m.at > pausedAt && m.payload.includes('vacated'),
    );
    console.log(
      `      failover: hang → will ${will ? will.at - pausedAt : '?'} ms, hang → other active ${activeAt - pausedAt} ms, hang → its first firing ` +
        `${firstFiring.at - pausedAt} ms (keepalive ${KEEPALIVE_S} s: the broker waits 1.5 keepalives)`,
    );
    const bound = (1.5 * KEEPALIVE_S + BROKER_CHECK_S + FEW_S) * 1000;
    assert.ok(activeAt - pausedAt < bound, `active within 1.5 keepalives + the broker's check + ${FEW_S} s`);

    // Resumed, the hung one finds its lease run out: its overdue firing is not sent; it follows.
    hung.resume();
    const resumedAt = Date.now();
    const count = firings(w.seen).length;
    await w.waitFor('three more firings', (all) => firings(all).length >= count + 3, 15_000);
    assertNeverTwice(firings(w.seen));
    assert.deepEqual(
      firings(w.seen).filter((f) => f.instance === hung.name && f.at > pausedAt + 100),
      [],
      `${hung.name} sent nothing after it hung (resumed ${Date.now() - resumedAt} ms ago)`,
    );
  });
});
