/**
 * The test's own MQTT v5 client on the fleet's broker: it records what the rigs and the
 * coordinator publish, waits for a condition on it, and publishes commands as a user's tool would.
 */
import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';

export interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
  correlationData?: string;
  responseTopic?: string;
}

export interface MqttWatch {
  seen: Seen[];
  waitFor(what: string, test: (all: Seen[]) => boolean, timeoutMs: number): Promise<void>;
  publish(topic: string, payload: string, options?: IClientPublishOptions): Promise<void>;
  close(): Promise<void>;
}

export async function watchMqtt(url: string, topics: string[]): Promise<MqttWatch> {
  const client: MqttClient = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 200 });
  const seen: Seen[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload, packet) => {
    seen.push({
      topic,
      payload: payload.toString(),
      retain: packet.retain,
      at: Date.now(),
      correlationData: packet.properties?.correlationData?.toString(),
      responseTopic: packet.properties?.responseTopic,
    });
    for (const check of [...waiters]) check();
  });
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    seen,
    waitFor(what, test, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!test(seen)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const last = seen.slice(-15).map((m) => `${m.topic} ${m.payload.slice(0, 200)}`);
          reject(new Error(`no ${what} within ${timeoutMs} ms; last messages:\n${last.join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async publish(topic, payload, options) {
      await client.publishAsync(topic, payload, { qos: 1, ...options });
    },
    async close() {
      await client.endAsync();
    },
  };
}
