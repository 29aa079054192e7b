/**
 * The synthetic drive recordings the simulator serves. Every signal value is a pure function of the
 * playback offset (µs), so a test can compute what a sample at a given timestamp must hold.
 */
export type SimFileType =
  | 'FILE_TYPE_UNKNOWN'
  | 'FILE_TYPE_FOLDER'
  | 'FILE_TYPE_RECORDING'
  | 'FILE_TYPE_RECORDING_SESSION'
  | 'FILE_TYPE_RECORDING_MAPPING'
  | 'FILE_TYPE_SIGNAL_DATABASE';

export interface SimSignal {
  namespace: string;
  /** The frame that carries the signal (ListSignals groups signals by frame). */
  frame: string;
  name: string;
  /** How the value travels: `double`, `integer` (int64) or `strValue`. */
  kind: 'double' | 'integer' | 'strValue';
  unit?: string;
  description?: string;
  value(offsetUs: number): number | string;
}

export interface SimRecording {
  /** Path of the `.recordingsession.yaml`, relative to the broker's storage root, no leading `./`. */
  path: string;
  durationUs: number;
  signals: SimSignal[];
  /** Seconds since the epoch (file listing). */
  createdTime?: number;
  size?: number;
}

export interface SimExtraFile {
  path: string;
  type: SimFileType;
  size?: number;
}

/** Speed in km/h, one decimal: 50 ± 30 on a 20 s wave. */
export function cityLoopSpeed(offsetUs: number): number {
  return Math.round((50 + 30 * Math.sin((2 * Math.PI * offsetUs) / 20_000_000)) * 10) / 10;
}

/** Steering angle in degrees, one decimal: ± 90 on a 15 s wave. */
export function cityLoopSteering(offsetUs: number): number {
  return Math.round(90 * Math.sin((2 * Math.PI * offsetUs) / 15_000_000) * 10) / 10;
}

/** Gear 1–6 from the speed. */
export function cityLoopGear(offsetUs: number): number {
  return Math.min(6, 1 + Math.floor(cityLoopSpeed(offsetUs) / 20));
}

export function cityLoopRpm(offsetUs: number): number {
  return Math.round(800 + cityLoopSpeed(offsetUs) * 40);
}

/** A named value: `eco` for the first half of the loop, `sport` after. */
export function cityLoopDriveMode(offsetUs: number): string {
  return offsetUs < 30_000_000 ? 'eco' : 'sport';
}

/** Highway speed in km/h, one decimal: 110 ± 10 on a 40 s wave. */
export function highwaySpeed(offsetUs: number): number {
  return Math.round((110 + 10 * Math.sin((2 * Math.PI * offsetUs) / 40_000_000)) * 10) / 10;
}

/** Highway steering in degrees, one decimal: lane keeping, ± 3 on a 25 s wave. */
export function highwaySteering(offsetUs: number): number {
  return Math.round(3 * Math.sin((2 * Math.PI * offsetUs) / 25_000_000) * 10) / 10;
}

/** Sixth gear at cruising speed, fifth when it drops under 105 km/h. */
export function highwayGear(offsetUs: number): number {
  return highwaySpeed(offsetUs) < 105 ? 5 : 6;
}

export function highwayRpm(offsetUs: number): number {
  return Math.round(highwaySpeed(offsetUs) * (highwayGear(offsetUs) === 6 ? 22 : 27));
}

/** `comfort` on the highway, `sport` for the overtaking minute in the middle (40–80 s). */
export function highwayDriveMode(offsetUs: number): string {
  return offsetUs >= 40_000_000 && offsetUs < 80_000_000 ? 'sport' : 'comfort';
}

export const CITY_LOOP_PATH = 'drive/city-loop.recordingsession.yaml';
export const HIGHWAY_PATH = 'drive/highway.recordingsession.yaml';

export function defaultRecordings(): SimRecording[] {
  const cityLoop: SimRecording = {
    path: CITY_LOOP_PATH,
    durationUs: 60_000_000,
    createdTime: 1_735_689_600, // 2025-01-01T00:00:00Z
    size: 412,
    signals: [
      {
        namespace: 'chassis',
        frame: 'VehicleDynamics',
        name: 'Speed',
        kind: 'double',
        unit: 'km/h',
        value: cityLoopSpeed,
      },
      {
        namespace: 'chassis',
        frame: 'Steering',
        name: 'SteeringAngle',
        kind: 'double',
        unit: 'deg',
        value: cityLoopSteering,
      },
      {
        namespace: 'powertrain',
        frame: 'Engine',
        name: 'EngineRpm',
        kind: 'integer',
        unit: 'rpm',
        value: cityLoopRpm,
      },
      { namespace: 'powertrain', frame: 'Transmission', name: 'Gear', kind: 'integer', value: cityLoopGear },
      {
        namespace: 'powertrain',
        frame: 'Transmission',
        name: 'DriveMode',
        kind: 'strValue',
        value: cityLoopDriveMode,
      },
    ],
  };
  const highway: SimRecording = {
    path: HIGHWAY_PATH,
    durationUs: 120_000_000,
    createdTime: 1_735_776_000,
    size: 398,
    signals: [
      {
        namespace: 'chassis',
        frame: 'VehicleDynamics',
        name: 'Speed',
        kind: 'double',
        unit: 'km/h',
        value: highwaySpeed,
      },
      {
        namespace: 'chassis',
        frame: 'Steering',
        name: 'SteeringAngle',
        kind: 'double',
        unit: 'deg',
        value: highwaySteering,
      },
      {
        namespace: 'powertrain',
        frame: 'Engine',
        name: 'EngineRpm',
        kind: 'integer',
        unit: 'rpm',
        value: highwayRpm,
      },
      { namespace: 'powertrain', frame: 'Transmission', name: 'Gear', kind: 'integer', value: highwayGear },
      {
        namespace: 'powertrain',
        frame: 'Transmission',
        name: 'DriveMode',
        kind: 'strValue',
        value: highwayDriveMode,
      },
    ],
  };
  return [cityLoop, highway];
}

export function defaultExtraFiles(): SimExtraFile[] {
  return [
    { path: 'drive/raw/city-loop-chassis.candump', type: 'FILE_TYPE_RECORDING', size: 20_480 },
    { path: 'drive/raw/city-loop-powertrain.candump', type: 'FILE_TYPE_RECORDING', size: 18_432 },
    { path: 'drive/city-loop.mapping.yaml', type: 'FILE_TYPE_RECORDING_MAPPING', size: 96 },
    { path: 'databases/chassis.dbc', type: 'FILE_TYPE_SIGNAL_DATABASE', size: 2_048 },
  ];
}

/** `./a/b` and `/a/b` name the same file as `a/b`. */
export function normalisePath(path: string): string {
  return path
    .trim()
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/+$/, '');
}
