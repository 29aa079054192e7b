/**
 * Loads the broker's `.proto` files (ours, under `<package root>/proto`) once, with options that keep
 * the wire semantics visible in JavaScript:
 *
 * - `keepCase`: field names exactly as in the protos (`startOffset`, `strValue`).
 * - `longs: String`: 64-bit fields (offsets and timestamps in µs) decode as decimal strings, so no
 *   value is silently rounded; `toSafeNumber` turns them into numbers and refuses values above
 *   2^53 µs (about 285 years), which no recording reaches.
 * - `enums: String`: enum values decode as their names.
 * - `defaults` + `oneofs`: plain fields always have a value, the oneof name says which payload is set,
 *   and proto3 `optional` fields stay *absent* when they were not sent (presence is kept).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO_FILES = ['recordingsession_api.proto', 'system_api.proto', 'network_api.proto'];

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/**
 * The `proto/` folder of the package. Found by walking up from this file, so it works from `src/`,
 * from `dist/src/backends/remotive/` and from an installed (`npm pack`ed) package alike.
 */
export function protoDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'proto');
    if (fs.existsSync(path.join(candidate, PROTO_FILES[0]))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the proto folder above ${__dirname}`);
    dir = parent;
  }
}

let cached: protoLoader.PackageDefinition | undefined;

export function packageDefinition(): protoLoader.PackageDefinition {
  if (!cached) {
    const dir = protoDir();
    cached = protoLoader.loadSync(
      PROTO_FILES.map((f) => path.join(dir, f)),
      { ...LOADER_OPTIONS, includeDirs: [dir] },
    );
    warmUp(cached);
  }
  return cached;
}

/**
 * protobufjs generates each message type's encoder and decoder on first use. Doing it here, once,
 * when the protos are loaded (at deploy), keeps that compile work out of the first messages a
 * flow sends, where it would stall the event loop for tens of milliseconds.
 */
function warmUp(definition: protoLoader.PackageDefinition): void {
  for (const service of Object.values(definition)) {
    if (!isServiceDefinition(service)) continue;
    for (const method of Object.values(service)) {
      try {
        method.responseDeserialize(method.responseSerialize({}));
        method.requestDeserialize(method.requestSerialize({}));
      } catch {
        // an empty message that does not encode is no reason to fail loading
      }
    }
  }
}

function isServiceDefinition(value: unknown): value is protoLoader.ServiceDefinition {
  if (typeof value !== 'object' || value === null || 'format' in value) return false;
  return Object.values(value).every((m) => typeof (m as { path?: unknown }).path === 'string');
}

export type ServiceName = 'RecordingSessionService' | 'SystemService' | 'NetworkService';

/** The method definition (path, serializers, streaming flags) of `base.<service>/<rpc>`. */
export function methodDefinition(
  service: ServiceName,
  rpc: string,
): protoLoader.MethodDefinition<object, object> {
  const def = packageDefinition()[`base.${service}`] as protoLoader.ServiceDefinition | undefined;
  const method = def?.[rpc];
  if (!method) throw new Error(`base.${service}/${rpc} is not in the protos`);
  return method;
}

export function serviceDefinition(service: ServiceName): protoLoader.ServiceDefinition {
  return packageDefinition()[`base.${service}`] as protoLoader.ServiceDefinition;
}
