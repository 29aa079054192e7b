/**
 * The simulator's highway recording carries the same vehicle signals as the city loop (the
 * RemotiveLabs dashboard page showed Engine, Gear and Drive mode empty on it), each a pure function
 * of the offset with plausible highway values.
 */
import assert from 'node:assert/strict';
import { CITY_LOOP_PATH, HIGHWAY_PATH, defaultRecordings } from '../../src/simulators/remotive';

describe('simulator highway recording', () => {
  const recordings = defaultRecordings();
  const highway = recordings.find((r) => r.path === HIGHWAY_PATH);
  const city = recordings.find((r) => r.path === CITY_LOOP_PATH);

  it('has every signal of the city loop, in the same namespaces, frames and kinds', () => {
    assert.ok(highway && city);
    const shape = (r: typeof city): string[] =>
      r.signals.map((s) => `${s.namespace}/${s.frame}/${s.name}:${s.kind}:${s.unit ?? ''}`).sort();
    assert.deepEqual(shape(highway), shape(city));
  });

  it('drives like a highway over its two minutes: 100–120 km/h, gear 5–6, plausible rpm, comfort then sport then comfort', () => {
    assert.ok(highway);
    const value = (name: string, us: number): number | string => {
      const signal = highway.signals.find((s) => s.name === name);
      assert.ok(signal, name);
      return signal.value(us);
    };
    const modes: string[] = [];
    for (let us = 0; us < highway.durationUs; us += 500_000) {
      const speed = value('Speed', us) as number;
      const gear = value('Gear', us) as number;
      const rpm = value('EngineRpm', us) as number;
      assert.ok(speed >= 100 && speed <= 120, `speed ${speed} at ${us} µs`);
      assert.ok(gear === 5 || gear === 6, `gear ${gear} at ${us} µs`);
      assert.ok(Number.isInteger(rpm) && rpm > 2000 && rpm < 3500, `rpm ${rpm} at ${us} µs`);
      assert.ok(Math.abs(value('SteeringAngle', us) as number) <= 3);
      const mode = value('DriveMode', us) as string;
      if (modes[modes.length - 1] !== mode) modes.push(mode);
    }
    assert.deepEqual(modes, ['comfort', 'sport', 'comfort']);
  });
});
