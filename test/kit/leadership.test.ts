/**
 * The leadership rules (src/kit/leadership.ts) with several instances on one modelled broker: a
 * retained record, each message fanned out to every live instance in one order, a connection's birth
 * on connect and its will when its instance is killed. The races a real broker makes rare (a claim
 * and a leader's update crossing, a claimant killed before it let go, two Node-REDs with one id) are
 * played here step by step; test/fleet/leader-topic.test.ts runs the real thing with Mosquitto.
 * After every step: never two instances active at once.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { InputError } from '../../src/common/errors';
import {
  Leadership,
  instanceId,
  readRecord,
  CLAIM_RETRY_MS,
  HEARTBEAT_MS,
  LEASE_MS,
  SETTLE_MS,
  VACANT_AFTER_MS,
  type LeadershipMessage,
  type RoleChange,
} from '../../src/kit/leadership';

const TOPIC = 'recorders/rigs/rig-1/leader/tick';

interface Instance {
  id: string;
  leadership: Leadership;
  alive: boolean;
  /** Cut off from the broker: nothing it sends arrives, nothing reaches it. */
  cut: boolean;
  connected: boolean;
  will: string | undefined;
  roles: RoleChange[];
  duplicates: number;
  fired: number | null;
}

class Broker {
  retained: unknown = undefined;
  readonly instances: Instance[] = [];
  private readonly pending: Array<[Instance, unknown]> = [];

  add(id: string, options: { fired?: number } = {}): Instance {
    const instance: Instance = {
      id,
      alive: true,
      cut: false,
      connected: false,
      will: undefined,
      roles: [],
      duplicates: 0,
      fired: options.fired ?? null,
      leadership: undefined as unknown as Leadership,
    };
    instance.leadership = new Leadership({
      topic: TOPIC,
      instance: id,
      send: (msg) => this.handle(instance, msg),
      onRole: (change) => instance.roles.push(change),
      onDuplicate: () => instance.duplicates++,
      lastFired: () => instance.fired,
    });
    this.instances.push(instance);
    instance.leadership.start();
    // Subscribing delivers the retained record.
    if (this.retained !== undefined) this.pending.push([instance, this.retained]);
    return instance;
  }

  /** Connects the broker loses (as Node-RED's mqtt node can, right after a disconnect). */
  loseConnects = 0;

  private handle(instance: Instance, msg: LeadershipMessage): void {
    if (!instance.alive || instance.cut) return;
    if ('action' in msg && msg.action === 'connect' && this.loseConnects > 0) {
      this.loseConnects--;
      return;
    }
    if ('action' in msg && msg.action === 'connect') {
      const broker = msg.broker as { birth: { payload: string }; will: { payload: string } };
      instance.connected = true;
      instance.will = broker.will.payload;
      this.publish(broker.birth.payload);
    } else if ('action' in msg) {
      // A clean disconnect: no will.
      instance.connected = false;
      instance.will = undefined;
    } else {
      assert.ok(instance.connected, `${instance.id} publishes its record on its leadership connection`);
      assert.equal(msg.topic, TOPIC);
      this.publish(JSON.stringify(msg.payload));
    }
  }

  publish(payload: unknown): void {
    this.retained = payload;
    for (const instance of this.instances) if (instance.alive) this.pending.push([instance, payload]);
  }

  kill(instance: Instance): void {
    instance.alive = false;
    instance.leadership.stop();
    if (instance.connected && instance.will !== undefined) this.publish(instance.will);
    instance.connected = false;
  }

  /** Delivers what is queued, in order, one message at a time (each may queue more). */
  flush(): void {
    for (let step = 0; this.pending.length > 0; step++) {
      assert.ok(step < 1000, 'the instances keep publishing');
      const [instance, payload] = this.pending.shift() as [Instance, unknown];
      if (instance.alive && !instance.cut) instance.leadership.receive(payload);
      this.checkOneActive();
    }
  }

  checkOneActive(): void {
    // An instance fires only while mayFire() says so: that is what "active" means here.
    const active = this.instances.filter((i) => i.alive && i.leadership.mayFire()).map((i) => i.id);
    assert.ok(active.length <= 1, `two instances active at once: ${active.join(', ')}`);
  }

  active(): string[] {
    return this.instances.filter((i) => i.alive && i.leadership.active).map((i) => i.id);
  }

  record(): Record<string, unknown> {
    return JSON.parse(String(this.retained)) as Record<string, unknown>;
  }
}

describe('leadership over a retained leader topic', () => {
  let clock: sinon.SinonFakeTimers;
  let broker: Broker;

  beforeEach(() => {
    clock = sinon.useFakeTimers({
      now: 1_000_000,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    broker = new Broker();
  });
  afterEach(() => {
    for (const i of broker.instances) i.leadership.stop();
    clock.restore();
  });

  /** Lets `ms` pass, delivering what the timers publish. */
  function pass(ms: number): void {
    for (let left = ms; left > 0; left -= 100) {
      clock.tick(Math.min(100, left));
      broker.flush();
      broker.checkOneActive();
    }
  }

  it('two instances claiming a vacant topic together end with one active: the last record', () => {
    const a = broker.add('rig-1-a');
    const b = broker.add('rig-1-b');
    pass(VACANT_AFTER_MS + 100);
    assert.deepEqual(broker.active(), [], 'nobody is active before the claim settled');
    pass(SETTLE_MS + 100);
    assert.deepEqual(broker.active(), ['rig-1-b']);
    assert.equal(broker.record().leader, 'rig-1-b');
    assert.equal(a.connected, false, 'the loser let go: no will of its own is armed');
    assert.equal(a.leadership.state, 'standby');
    assert.equal(a.leadership.leader, 'rig-1-b');
    assert.deepEqual(
      b.roles.map((r) => r.role),
      ['active'],
    );
  });

  it('an instance starting later follows the leader it reads and never claims', () => {
    broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const b = broker.add('rig-1-b');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    assert.deepEqual(broker.active(), ['rig-1-a']);
    assert.equal(b.connected, false);
    assert.equal(b.leadership.state, 'standby');
  });

  it('the leader killed: its will vacates the topic, the standby claims and takes lastFired over', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const b = broker.add('rig-1-b');
    broker.flush();
    a.fired = 1_004_000;
    a.leadership.fired(1_004_000);
    broker.flush();
    assert.equal(broker.record().lastFired, 1_004_000);
    broker.kill(a);
    assert.deepEqual(broker.record(), { vacated: 'rig-1-a', run: a.leadership.run });
    broker.flush();
    assert.equal(b.leadership.state, 'settling', 'b claimed and read its own record');
    pass(SETTLE_MS + 100);
    assert.deepEqual(broker.active(), ['rig-1-b']);
    assert.deepEqual(b.roles, [{ role: 'active', leader: 'rig-1-b', lastFired: 1_004_000 }]);
    assert.equal(broker.record().lastFired, 1_004_000, "the new leader's record carries it on");
  });

  it('a claim crossing the leader: the last record wins; a claimant dying after its claim leaves a vacancy', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const b = broker.add('rig-1-b');
    broker.flush();
    // b claims by command (its will armed), and dies before its claim was delivered back to it.
    b.leadership.claimNow();
    broker.kill(b);
    broker.flush();
    // a read the later claim and stepped down (a no more active), then b's will, which names the
    // leader a followed: a vacancy, so a claims again.
    assert.equal(a.roles.at(-1)?.role, 'standby');
    assert.equal(a.leadership.state, 'settling');
    pass(SETTLE_MS + 100);
    assert.deepEqual(broker.active(), ['rig-1-a']);

    // Now a claimant that loses and dies before it let go: c claims, a's update crosses it.
    const c = broker.add('rig-1-c');
    broker.flush();
    c.leadership.claimNow();
    a.leadership.fired(1_002_000);
    broker.flush();
    pass(SETTLE_MS + 100);
    assert.deepEqual(broker.active(), ['rig-1-a'], 'the last record (a update) wins');
    assert.equal(c.connected, false);
    assert.equal(broker.record().leader, 'rig-1-a');
  });

  it('a leader cut off from the broker stops firing before its will lets the standby take over', () => {
    const keepaliveMs = 5000;
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const b = broker.add('rig-1-b');
    pass(3000);
    a.cut = true;
    const cutAt = Date.now();
    // The broker gives up on a's connection after 1.5 keepalives and publishes its will.
    let stoppedAt: number | undefined;
    while (Date.now() - cutAt < 1.5 * keepaliveMs) {
      pass(100);
      if (stoppedAt === undefined && !a.leadership.mayFire()) stoppedAt = Date.now();
    }
    assert.ok(stoppedAt !== undefined && stoppedAt - cutAt <= LEASE_MS, 'a stopped within its lease');
    broker.publish(a.will);
    pass(SETTLE_MS + 200);
    assert.deepEqual(broker.active(), ['rig-1-b']);
    // Back in touch: a reads b's record and follows it.
    a.cut = false;
    a.connected = false;
    broker.publish(JSON.stringify({ leader: 'rig-1-b', run: b.leadership.run }));
    pass(HEARTBEAT_MS * 2);
    assert.deepEqual(broker.active(), ['rig-1-b']);
    assert.equal(a.leadership.state, 'standby');
  });

  it('a claim whose connect got lost is sent again, and the topic gets a leader', () => {
    broker.loseConnects = 1;
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + 200);
    assert.equal(a.leadership.state, 'claiming');
    assert.equal(a.connected, false, 'the first connect never arrived');
    pass(CLAIM_RETRY_MS + SETTLE_MS + 200);
    assert.deepEqual(broker.active(), ['rig-1-a']);
  });

  it('a leader that hung: a record of its own read right after it resumes does not let it fire', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    assert.equal(a.leadership.mayFire(), true);
    // The process stops for 10 s: no timer runs, the clock goes on. On resuming, the first thing it
    // reads is its own record, sent before the pause and waiting in the socket.
    clock.setSystemTime(Date.now() + 10_000);
    a.leadership.receive(JSON.stringify({ leader: 'rig-1-a', run: a.leadership.run }));
    assert.equal(a.leadership.mayFire(), false, 'its lease ran out while it hung');
    assert.equal(a.leadership.state, 'standby');
  });

  it('a will of a non-leader: the leader republishes; an instance starting after reads the leader', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    broker.publish(JSON.stringify({ vacated: 'rig-1-x', run: 'r' }));
    broker.flush();
    assert.equal(broker.record().leader, 'rig-1-a');
    assert.equal(a.leadership.state, 'active');
    const b = broker.add('rig-1-b');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    assert.deepEqual(broker.active(), ['rig-1-a']);
    assert.equal(b.leadership.state, 'standby');
  });

  it('the standby command hands over: vacate, let go, claim nothing until another leads', () => {
    const a = broker.add('rig-1-a', { fired: 1_000_500 });
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const b = broker.add('rig-1-b');
    broker.flush();
    a.leadership.yieldLeadership();
    assert.equal(a.connected, false);
    assert.deepEqual(a.roles.at(-1), { role: 'standby', leader: null, lastFired: 1_000_500 });
    broker.flush();
    pass(SETTLE_MS + 100);
    assert.deepEqual(broker.active(), ['rig-1-b']);
    assert.equal(a.leadership.state, 'standby', 'a follows b');
    assert.equal(b.roles.at(-1)?.lastFired, 1_000_500, 'the vacate handed lastFired over');
    // An active command takes the topic back from a running leader.
    a.leadership.claimNow();
    broker.flush();
    pass(SETTLE_MS + 100);
    assert.deepEqual(broker.active(), ['rig-1-a']);
    assert.equal(b.connected, false);
  });

  it('a yielded instance alone claims nothing (the topic stays vacant)', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    a.leadership.yieldLeadership();
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    assert.deepEqual(broker.active(), []);
    assert.equal(a.leadership.state, 'yielded');
  });

  it('the standby command while claiming: its own claim arriving after it does not take the topic', () => {
    const a = broker.add('rig-1-a');
    clock.tick(VACANT_AFTER_MS + 100);
    assert.equal(a.leadership.state, 'claiming');
    // The birth is queued at the broker before the vacate: a reads it after the command.
    a.leadership.yieldLeadership();
    pass(SETTLE_MS + 200);
    assert.deepEqual(broker.active(), []);
    assert.equal(a.leadership.state, 'yielded');
    assert.equal(a.connected, false);
  });

  it('schedules firing at one instant share one record', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const records: unknown[] = [];
    const b = broker.add('rig-1-b');
    broker.flush();
    const receive = b.leadership.receive.bind(b.leadership);
    b.leadership.receive = (payload: unknown): void => {
      records.push(payload);
      receive(payload);
    };
    for (let i = 0; i < 5; i++) a.leadership.fired(1_010_000);
    a.leadership.fired(1_012_000);
    broker.flush();
    assert.equal(records.length, 2, JSON.stringify(records));
  });

  it('a clean restart takes its leadership up again from the record it left', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const b = broker.add('rig-1-b');
    broker.flush();
    // A clean stop: the leadership connection closes cleanly, no will; the record stays.
    a.alive = false;
    a.leadership.stop();
    a.connected = false;
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    assert.deepEqual(broker.active(), [], 'the standby waits: the record names a');
    assert.equal(b.leadership.state, 'standby');
    const again = broker.add('rig-1-a');
    pass(SETTLE_MS + 200);
    assert.deepEqual(broker.active(), ['rig-1-a']);
    assert.equal(again.connected, true);
  });

  it('an empty retained message (cleared by hand) while nobody leads: the standby claims', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const b = broker.add('rig-1-b');
    broker.flush();
    a.alive = false;
    a.leadership.stop();
    broker.publish('');
    broker.flush();
    pass(SETTLE_MS + 200);
    assert.deepEqual(broker.active(), ['rig-1-b']);
    assert.equal(b.leadership.leader, 'rig-1-b');
  });

  it('a birth sent again with an old lastFired (a reconnect) is brought up to date', () => {
    const a = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    a.fired = 1_009_000;
    a.leadership.fired(1_009_000);
    broker.flush();
    broker.publish(JSON.stringify({ leader: 'rig-1-a', run: a.leadership.run }));
    broker.flush();
    assert.equal(broker.record().lastFired, 1_009_000);
    assert.deepEqual(broker.active(), ['rig-1-a']);
  });

  it('two Node-REDs with one id: never both active, and the one that reads the other stops leading', () => {
    const a1 = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    const a2 = broker.add('rig-1-a');
    pass(VACANT_AFTER_MS + SETTLE_MS + 200);
    // a2 read a record with its id from another run and claimed (as after a restart); a1 read that.
    assert.equal(a1.duplicates, 1);
    assert.equal(a1.leadership.duplicated, true);
    assert.equal(a2.leadership.active, true, 'the later one leads alone');
    a1.leadership.claimNow();
    broker.flush();
    pass(SETTLE_MS + 200);
    assert.equal(a1.leadership.active, false, 'a duplicate claims no more');
  });

  it('lastFired only grows, from records and the instance itself', () => {
    const a = broker.add('rig-1-a');
    broker.publish(JSON.stringify({ leader: 'rig-1-b', lastFired: 5000 }));
    broker.flush();
    broker.publish(JSON.stringify({ leader: 'rig-1-b', lastFired: new Date(3000).toISOString() }));
    broker.flush();
    assert.equal(a.leadership.lastFired, 5000);
    a.fired = 7000;
    assert.equal(a.leadership.lastFired, 7000);
  });

  it('reads records as mqtt in delivers them, and refuses what is not one', () => {
    assert.deepEqual(readRecord(Buffer.from('{"leader":"a","lastFired":5}')), {
      kind: 'leader',
      leader: 'a',
      lastFired: 5,
    });
    assert.deepEqual(readRecord({ vacated: 'a', run: 'x' }), { kind: 'vacated', who: 'a' });
    for (const vacant of ['', '  ', null, undefined, Buffer.alloc(0)])
      assert.deepEqual(readRecord(vacant), { kind: 'vacant' });
    for (const bad of [
      'not json',
      '[1]',
      42,
      true,
      { leader: 'two words' },
      { leader: 'a', lastFired: 'soon' },
      { leader: 'a', run: 7 },
      { who: 'a' },
      'x'.repeat(5000),
      Buffer.alloc(5000, 32),
    ])
      assert.throws(() => readRecord(bad), InputError, JSON.stringify(bad)?.slice(0, 40));
    const a = broker.add('rig-1-a');
    assert.throws(() => a.leadership.receive('{"leader":'), InputError);
    assert.equal(a.leadership.state, 'waiting', 'a bad record changes nothing');
  });

  it('takes the instance id from the field, else RECORDERS_INSTANCE, else the host name', () => {
    assert.equal(instanceId('pc-1', 'env-1', 'host'), 'pc-1');
    assert.equal(instanceId('', ' env-1 ', 'host'), 'env-1');
    assert.equal(instanceId('', undefined, 'host.lab'), 'host.lab');
    assert.throws(() => instanceId('', 'two words', 'host'), /RECORDERS_INSTANCE/);
  });
});
