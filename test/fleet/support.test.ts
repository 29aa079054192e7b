/**
 * The fleet tests' parts work: a real Mosquitto, a Node-RED program whose core MQTT v5 nodes answer
 * on a response topic, and a SIGKILL that makes the broker publish that Node-RED's last will.
 */
import assert from 'node:assert/strict';
import { startMosquitto, type Mosquitto } from '../support/fleet/mosquitto';
import { watchMqtt, type MqttWatch } from '../support/fleet/mqtt-watch';
import { startNodeRedProcess, type NodeRedProcess } from '../support/fleet/node-red-process';

describe('fleet test parts: Mosquitto and a Node-RED program', function () {
  this.timeout(90_000);
  let broker: Mosquitto;
  let red: NodeRedProcess | undefined;
  let watch: MqttWatch | undefined;

  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => {
    await watch?.close();
    await red?.stop();
    await broker.stop();
  });

  it('answers on the response topic with the correlation, and its last will marks it offline', async () => {
    const flow = [
      { id: 'tab', type: 'tab', label: 'echo' },
      {
        id: 'broker',
        type: 'mqtt-broker',
        broker: '127.0.0.1',
        port: String(broker.port),
        protocolVersion: '5',
        keepalive: '2',
        cleansession: true,
        autoConnect: true,
        birthTopic: '${STATUS_TOPIC}',
        birthPayload: 'online',
        birthRetain: 'true',
        birthQos: '1',
        willTopic: '${STATUS_TOPIC}',
        willPayload: 'offline',
        willRetain: 'true',
        willQos: '1',
      },
      {
        id: 'in',
        type: 'mqtt in',
        z: 'tab',
        broker: 'broker',
        topic: 'test/ask',
        qos: '1',
        datatype: 'utf8',
        nl: false,
        rap: true,
        rh: 0,
        inputs: 0,
        wires: [['drop-topic']],
      },
      // A reply goes to the asker's response topic: mqtt out uses it when msg.topic is empty.
      {
        id: 'drop-topic',
        type: 'change',
        z: 'tab',
        rules: [{ t: 'delete', p: 'topic', pt: 'msg' }],
        wires: [['out']],
      },
      { id: 'out', type: 'mqtt out', z: 'tab', broker: 'broker', topic: '', qos: '1', retain: '', wires: [] },
    ];
    red = await startNodeRedProcess({ name: 'echo', flow, env: { STATUS_TOPIC: 'test/echo/status' } });
    watch = await watchMqtt(broker.url, ['test/echo/status', 'test/answers']);
    await watch.waitFor('birth', (all) => all.some((m) => m.payload === 'online'), 20_000);
    await watch.publish('test/ask', 'hello', {
      properties: { responseTopic: 'test/answers', correlationData: Buffer.from('c-1') },
    });
    await watch.waitFor('answer', (all) => all.some((m) => m.topic === 'test/answers'), 20_000);
    const answer = watch.seen.find((m) => m.topic === 'test/answers');
    assert.equal(answer?.payload, 'hello');
    assert.equal(answer?.correlationData, 'c-1');
    const killedAt = Date.now();
    await red.kill();
    await watch.waitFor('last will', (all) => all.some((m) => m.payload === 'offline'), 20_000);
    const offline = watch.seen.find((m) => m.payload === 'offline');
    assert.ok(
      offline && offline.at - killedAt < 2 * 1.5 * 1000 + 2000,
      'the will came within 1.5 keepalives',
    );
  });
});
