/**
 * Signal batches → Node-RED messages. Batch mode: one message per broker batch, `payload` an object
 * of name → value. Signal mode: one message per sample, `topic` the signal name. Kept allocation-
 * light: at full rate this runs for every sample.
 */
import type { SignalSample, SignalValue } from '../../src/backends/remotive';

export type BatchMessage = {
  topic: string;
  payload: Record<string, SignalValue>;
  remotive: { namespace: string; timestamps: Record<string, number> };
};

export type SignalMessage = {
  topic: string;
  payload: SignalValue;
  remotive: { namespace: string; name: string; timestampUs: number };
};

export function batchMessage(namespace: string, samples: Iterable<SignalSample>): BatchMessage {
  const payload: Record<string, SignalValue> = {};
  const timestamps: Record<string, number> = {};
  for (const s of samples) {
    payload[s.name] = s.value;
    timestamps[s.name] = s.timestampUs;
  }
  return { topic: namespace, payload, remotive: { namespace, timestamps } };
}

export function signalMessage(sample: SignalSample): SignalMessage {
  return {
    topic: sample.name,
    payload: sample.value,
    remotive: { namespace: sample.namespace, name: sample.name, timestampUs: sample.timestampUs },
  };
}
