/**
 * The Aivero client: the operations of the vendor's scripts (find a camera, create a session with
 * its records and streams, set its state) plus listing, reading and deleting, as typed methods over
 * Hasura GraphQL. Input is checked before any request; a failed create leaves nothing behind (or
 * says exactly what remains); errors are typed and never carry a credential.
 */
import { ClosedError, InputError, RecorderError, toRecorderError } from '../../common/errors';
import type { ClockSample } from '../../common/clock';
import { resolveConfig, type AiveroClientOptions, type AiveroEndpoint, type ResolvedConfig } from './config';
import {
  CAMERA_WITH_MODEL_AND_SERIAL,
  DELETE_RECORDING_SESSION,
  DELETE_SESSION_TREE,
  getSessionDocument,
  HEALTH,
  POLL_SESSION,
  INSERT_RECORD,
  INSERT_RECORDING_SESSION,
  INSERT_STREAM,
  listCamerasDocument,
  listSessionsDocument,
  RECORDS_OF_SESSION,
  STREAMS_OF_RECORDS,
  UPDATE_RECORDING_SESSION_STATE,
} from './documents';
import { checkEnum, type AiveroEnums, type SessionState } from './enums';
import { AiveroApiError, AiveroNotFoundError, Redactor } from './errors';
import { HttpTransport, type CallOptions, type Variables } from './http';
import { DOCUMENTED_SCHEMA, loadSchema, type SchemaInfo } from './schema';
import { checkInt, checkText, checkUuid, prepareSession, type PreparedSession } from './spec';
import { SessionWaiters, type ReachedState, type WaitOptions } from './waiters';
import { SessionWatch, type WatchOptions } from './watch';

export type { CallOptions } from './http';

export interface AiveroCamera {
  id: string;
  model?: string;
  serial?: string;
  [column: string]: unknown;
}

export interface AiveroStream {
  id: string;
  recordId: string;
  type: string;
  alignTo: string;
  encoder: string;
  width: number;
  height: number;
  nearCut: number;
  farCut: number;
  bitrate: number;
  frameRate: number;
}

export interface AiveroSessionRow {
  id: string;
  name: string;
  state: SessionState;
  startDate?: string;
  endDate?: string;
  mode?: string;
  maxTimeSeconds?: number;
  maxSizeMegabytes?: number;
  [column: string]: unknown;
}

export interface AiveroSession extends AiveroSessionRow {
  records: { id: string; cameraId: string; streams: AiveroStream[] }[];
}

export interface CreatedSession {
  sessionId: string;
  state: string;
  startDate: string;
  endDate: string;
  records: { recordId: string; cameraId: string; streamIds: string[] }[];
  /** RealSense limits the streams exceed (the server was asked anyway). */
  warnings: string[];
}

export interface ListSessionsOptions extends CallOptions {
  state?: string | string[];
  name?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface HealthReport {
  healthzStatus: number;
  healthzMs: number;
  queryMs: number;
}

/** Which ids exist when a create failed half-way. */
export interface PartialSession {
  sessionId?: string;
  recordIds: string[];
  streamIds: string[];
}

/**
 * createSession failed after the server had stored part of the session. `remains` says whether
 * that part is still there (the clean-up failed too): then `created` lists its ids.
 */
export class AiveroCreateError extends RecorderError {
  readonly step: string;
  readonly created: PartialSession;
  readonly remains: boolean;
  readonly retryable: boolean;
  constructor(
    cause: RecorderError,
    step: string,
    created: PartialSession,
    cleanup: RecorderError | undefined,
  ) {
    const what = created.sessionId
      ? cleanup
        ? `; the half-made session ${created.sessionId} (records ${created.recordIds.join(', ') || 'none'}, streams ${created.streamIds.join(', ') || 'none'}) REMAINS on the server because deleting it failed too: ${cleanup.message}`
        : `; the half-made session ${created.sessionId} was deleted again`
      : '';
    super(cause.code, `creating the session failed at ${step}: ${cause.message}${what}`, cause.statusText, {
      cause,
    });
    this.name = 'AiveroCreateError';
    this.step = step;
    this.created = created;
    this.remains = Boolean(created.sessionId && cleanup);
    this.retryable =
      (cause as { retryable?: boolean }).retryable ??
      (cause.code === 'CONNECTION' || cause.code === 'TIMEOUT');
  }
}

const CLEANUP_TIMEOUT_MS = 10_000;

export class AiveroClient {
  readonly endpoint: AiveroEndpoint;
  /** A standing warning (TLS not verified, credentials over plain HTTP), or undefined. */
  readonly warning: string | undefined;
  private readonly config: ResolvedConfig;
  private readonly redactor: Redactor;
  private readonly http: HttpTransport;
  private schemaPromise: Promise<SchemaInfo> | undefined;
  private schemaInfo: SchemaInfo | undefined;
  private readonly watches = new Set<SessionWatch>();
  /** Every wait for a state shares one live query (see waiters.ts). */
  private readonly waiters = new SessionWaiters((ids) =>
    this.openWatch(undefined, ids, { pollMs: 250, emitInitial: true }),
  );
  private closed = false;

  constructor(options: AiveroClientOptions) {
    this.config = resolveConfig(options);
    this.endpoint = this.config.endpoint;
    this.warning = this.config.warning;
    this.redactor = new Redactor(this.config.secrets);
    this.http = new HttpTransport(this.config, this.redactor);
  }

  /** Any operation (e.g. a vendor document as written); the result's `data`. */
  async request<T = Record<string, unknown>>(
    document: string,
    variables: Variables = {},
    options?: CallOptions & { what?: string },
  ): Promise<T> {
    if (typeof document !== 'string' || document.length === 0 || document.length > 100_000)
      throw new InputError(
        'the GraphQL document must be a non-empty text of at most 100000 characters',
        'document',
      );
    return this.http.request<T>(document, variables, options?.what ?? 'the GraphQL request', options);
  }

  /** Enum values and columns, by introspection when the role allows it (cached). */
  async schema(options?: CallOptions): Promise<SchemaInfo> {
    if (this.schemaInfo) return this.schemaInfo;
    if (!this.schemaPromise) {
      this.schemaPromise = loadSchema(this.http, options).then(
        (info) => (this.schemaInfo = info),
        (err: unknown) => {
          this.schemaPromise = undefined; // a network failure is not an answer: ask again next time
          throw err;
        },
      );
    }
    return this.schemaPromise;
  }

  async enums(options?: CallOptions): Promise<AiveroEnums> {
    return (await this.schema(options)).enums;
  }

  /** The enums known so far without a request (the documented ones until the schema was read). */
  get knownEnums(): AiveroEnums {
    return (this.schemaInfo ?? DOCUMENTED_SCHEMA).enums;
  }

  /** `GET /healthz` and one cheap query (which also checks the credentials). */
  async health(options?: CallOptions): Promise<HealthReport> {
    const probe = await this.http.healthz(options);
    // A proxy may not route /healthz; the query below still answers for the server.
    if (probe.status !== 200 && probe.status !== 404)
      throw new AiveroApiError(
        `health check: ${this.endpoint.healthz.replace(/^https?:\/\/[^/]+/, '')} answered HTTP ${probe.status}`,
        { code: `http-${probe.status}`, httpStatus: probe.status },
        probe.status >= 500,
      );
    const started = performance.now();
    await this.http.request(HEALTH, {}, 'health check', options);
    return { healthzStatus: probe.status, healthzMs: probe.ms, queryMs: performance.now() - started };
  }

  /** Makes up to `count` keep-alive connections ready (see HttpTransport.warm). */
  warm(count: number, options?: CallOptions): Promise<void> {
    return this.http.warm(count, options);
  }

  /** The camera with this model and serial (the vendor's lookup); an error naming both if none. */
  async findCamera(model: string, serial: string, options?: CallOptions): Promise<AiveroCamera> {
    const enums = await this.enums(options);
    const checkedModel = checkEnum(enums, 'cameraModel', model);
    const checkedSerial = checkText(serial, 'camera serial');
    const data = await this.http.request<{ cameras?: AiveroCamera[] }>(
      CAMERA_WITH_MODEL_AND_SERIAL,
      { model: checkedModel, serial: checkedSerial },
      `finding camera ${checkedModel} "${checkedSerial.slice(0, 60)}"`,
      options,
    );
    const camera = Array.isArray(data?.cameras) ? data.cameras[0] : undefined;
    if (!camera || typeof camera.id !== 'string')
      throw new AiveroNotFoundError(
        `no camera with model ${checkedModel} and serial "${this.redactor.text(checkedSerial, 60)}"`,
        'camera',
      );
    return { ...camera, model: checkedModel, serial: checkedSerial };
  }

  async listCameras(options?: CallOptions): Promise<AiveroCamera[]> {
    const schema = await this.schema(options);
    const data = await this.http.request<{ cameras?: AiveroCamera[] }>(
      listCamerasDocument(schema.cameraFields),
      {},
      'listing cameras',
      options,
    );
    return this.expectList(data?.cameras, 'cameras');
  }

  /**
   * The vendor's sequence: the session inserted `Stopped`, a record per camera, its streams, then
   * the target state. On a failure after the insert the session is deleted again; if that fails
   * too, the error says which ids remain.
   */
  async createSession(spec: unknown, options?: CallOptions): Promise<CreatedSession> {
    const enums = await this.enums(options);
    const prepared = prepareSession(spec, enums);
    // Cameras first: an unknown camera fails before anything is written.
    const cameraIds: string[] = [];
    for (const [i, record] of prepared.records.entries()) {
      const ref = record.camera;
      if ('id' in ref) cameraIds.push(ref.id);
      else {
        try {
          cameraIds.push((await this.findCamera(ref.model, ref.serial, options)).id);
        } catch (err) {
          const error = toRecorderError(err);
          if (prepared.records.length > 1) error.message = `record ${i + 1}: ${error.message}`;
          throw error;
        }
      }
    }
    const created: PartialSession = { recordIds: [], streamIds: [] };
    const result: CreatedSession = {
      sessionId: '',
      state: 'Stopped',
      startDate: prepared.startDate,
      endDate: prepared.endDate,
      records: [],
      warnings: prepared.warnings,
    };
    let step = 'inserting the session';
    try {
      result.sessionId = await this.insertSession(prepared, options);
      created.sessionId = result.sessionId;
      for (const [i, record] of prepared.records.entries()) {
        step = `inserting record ${i + 1}`;
        const recordId = await this.insertId(
          INSERT_RECORD,
          { recordingId: result.sessionId, cameraId: cameraIds[i] },
          'insertRecord',
          step,
          options,
        );
        created.recordIds.push(recordId);
        const entry = { recordId, cameraId: cameraIds[i], streamIds: [] as string[] };
        result.records.push(entry);
        for (const [j, stream] of record.streams.entries()) {
          step = `inserting record ${i + 1} stream ${j + 1}`;
          const streamId = await this.insertId(
            INSERT_STREAM,
            { recordId, ...stream },
            'insertStream',
            step,
            options,
          );
          created.streamIds.push(streamId);
          entry.streamIds.push(streamId);
        }
      }
      if (prepared.state !== 'Stopped') {
        step = `setting the state to ${prepared.state}`;
        await this.setState(result.sessionId, prepared.state, options);
      }
      result.state = prepared.state;
      return result;
    } catch (err) {
      const cause = toRecorderError(err);
      if (!created.sessionId) throw cause;
      let cleanupError: RecorderError | undefined;
      try {
        // Not bound to the caller's signal: a cancelled create must still be cleaned up.
        await this.deleteSession(created.sessionId, { timeoutMs: CLEANUP_TIMEOUT_MS });
      } catch (cleanup) {
        cleanupError = toRecorderError(cleanup);
      }
      throw new AiveroCreateError(cause, step, created, cleanupError);
    }
  }

  /** One sample of the server's clock (its HTTP Date header: whole seconds). */
  async clockSample(options?: CallOptions): Promise<ClockSample> {
    return this.http.serverDate(options);
  }

  /** Sets the state; an unknown session (Hasura answers `null`) is an error. */
  async setState(id: string, state: string, options?: CallOptions): Promise<{ id: string; state: string }> {
    const sessionId = checkUuid(id, 'session id');
    const enums = await this.enums(options);
    const checked = checkEnum(enums, 'state', state);
    const data = await this.http.request<{ updateRecordingSession?: { id?: string } | null }>(
      UPDATE_RECORDING_SESSION_STATE,
      { id: sessionId, state: checked },
      `setting session ${sessionId} to ${checked}`,
      options,
    );
    if (!data?.updateRecordingSession)
      throw new AiveroNotFoundError(`no recording session with id ${sessionId}`, 'session');
    return { id: sessionId, state: checked };
  }

  /**
   * A session's state in one light query (no records or streams). Read before a write, it is a
   * moment's view: a device may move the session on between the read and the write.
   */
  async sessionState(id: string, options?: CallOptions): Promise<{ id: string; state: string }> {
    const sessionId = checkUuid(id, 'session id');
    const data = await this.http.request<{ recordingSessions?: { id?: unknown; state?: unknown }[] }>(
      POLL_SESSION,
      { id: sessionId },
      `reading the state of session ${sessionId}`,
      options,
    );
    const row = Array.isArray(data?.recordingSessions) ? data.recordingSessions[0] : undefined;
    if (!row) throw new AiveroNotFoundError(`no recording session with id ${sessionId}`, 'session');
    return { id: sessionId, state: String(row.state) };
  }

  /** A session with its records and their streams. */
  async getSession(id: string, options?: CallOptions): Promise<AiveroSession> {
    const sessionId = checkUuid(id, 'session id');
    const schema = await this.schema(options);
    const data = await this.http.request<{
      recordingSession?: AiveroSessionRow | null;
      records?: { id: string; cameraId: string }[];
    }>(getSessionDocument(schema.sessionFields), { id: sessionId }, `reading session ${sessionId}`, options);
    if (!data?.recordingSession)
      throw new AiveroNotFoundError(`no recording session with id ${sessionId}`, 'session');
    const records = this.expectList(data.records, 'records');
    let streams: AiveroStream[] = [];
    if (records.length > 0) {
      const answer = await this.http.request<{ streams?: AiveroStream[] }>(
        STREAMS_OF_RECORDS,
        { recordIds: records.map((r) => r.id) },
        `reading the streams of session ${sessionId}`,
        options,
      );
      streams = this.expectList(answer?.streams, 'streams');
    }
    return {
      ...data.recordingSession,
      records: records.map((r) => ({
        id: r.id,
        cameraId: r.cameraId,
        streams: streams.filter((s) => s.recordId === r.id),
      })),
    };
  }

  /** Sessions, newest first, optionally filtered by state(s) and exact name. */
  async listSessions(options: ListSessionsOptions = {}): Promise<AiveroSessionRow[]> {
    const schema = await this.schema(options);
    const variables: Variables = { limit: checkInt(options.limit, 'limit', 1, 100) };
    if ((variables.limit as number) > 1000) throw new InputError('limit must be at most 1000', 'limit');
    let states: string[] | undefined;
    if (options.state !== undefined && options.state !== '') {
      const list = Array.isArray(options.state) ? options.state : [options.state];
      states = list.map((s) => checkEnum(schema.enums, 'state', s, 'state filter'));
      variables.states = states;
    }
    let name: string | undefined;
    if (options.name !== undefined && options.name !== '')
      variables.name = name = checkText(options.name, 'name filter');
    const data = await this.http.request<{ recordingSessions?: AiveroSessionRow[] }>(
      listSessionsDocument(schema.sessionFields, schema.orderField, { states, name }),
      variables,
      'listing sessions',
      options,
    );
    return this.expectList(data?.recordingSessions, 'recordingSessions');
  }

  /** Deletes a session with its records and streams. */
  async deleteSession(id: string, options?: CallOptions): Promise<{ id: string }> {
    const sessionId = checkUuid(id, 'session id');
    const what = `deleting session ${sessionId}`;
    const gone = (): never => {
      throw new AiveroNotFoundError(`no recording session with id ${sessionId}`, 'session');
    };
    try {
      const data = await this.http.request<{ deleteRecordingSession?: { id?: string } | null }>(
        DELETE_RECORDING_SESSION,
        { id: sessionId },
        what,
        options,
      );
      if (!data?.deleteRecordingSession) gone();
      return { id: sessionId };
    } catch (err) {
      // Foreign keys without ON DELETE CASCADE (Hasura's default): the session has records.
      if ((err as { hasura?: { code?: string } }).hasura?.code !== 'constraint-violation') throw err;
    }
    const records = await this.http.request<{ records?: { id: string }[] }>(
      RECORDS_OF_SESSION,
      { id: sessionId },
      what,
      options,
    );
    const recordIds = this.expectList(records?.records, 'records').map((r) => r.id);
    const data = await this.http.request<{ deleteRecordingSession?: { id?: string } | null }>(
      DELETE_SESSION_TREE,
      { id: sessionId, recordIds },
      what,
      options,
    );
    if (!data?.deleteRecordingSession) gone();
    return { id: sessionId };
  }

  /**
   * Watches the state of one session (or of all when `id` is undefined): one `change` event per
   * state change, over a live-query subscription with fallbacks (see watch.ts).
   */
  watchSession(id?: string, options: WatchOptions = {}): SessionWatch {
    if (this.closed) throw new ClosedError('the Aivero client is closed');
    const sessionId = id === undefined || id === '' ? undefined : checkUuid(id, 'session id');
    return this.openWatch(sessionId, undefined, options);
  }

  /**
   * Resolves when the session is in `state` (at once if it already is); rejects on the timeout,
   * the signal, the session's deletion or a refused credential. All waits on this client share
   * one live query.
   */
  async waitForState(id: string, state: string, options: WaitOptions): Promise<ReachedState> {
    if (this.closed) throw new ClosedError('the Aivero client is closed');
    return this.waiters.wait(checkUuid(id, 'session id'), checkText(state, 'state'), options);
  }

  private openWatch(
    sessionId: string | undefined,
    sessionIds: readonly string[] | undefined,
    options: WatchOptions,
  ): SessionWatch {
    const watch = new SessionWatch(
      {
        sessionId,
        sessionIds,
        config: this.config,
        redactor: this.redactor,
        poll: (document, variables, signal) =>
          this.http.request(document, variables, 'polling sessions', {
            signal,
            timeoutMs: options.pollTimeoutMs,
          }),
      },
      options,
    );
    this.watches.add(watch);
    watch.once('closed', () => this.watches.delete(watch));
    return watch;
  }

  /** Closes every watch and the HTTP connections; calls under way fail with ClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.waiters.close();
    await Promise.all([...this.watches].map((w) => w.close()));
    await this.http.close();
  }

  private async insertSession(prepared: PreparedSession, options?: CallOptions): Promise<string> {
    return this.insertId(
      INSERT_RECORDING_SESSION,
      {
        name: prepared.name,
        startDate: prepared.startDate,
        endDate: prepared.endDate,
        mode: prepared.mode,
        state: 'Stopped',
        maxTimeSeconds: prepared.maxTimeSeconds,
        maxSizeMegabytes: prepared.maxSizeMegabytes,
      },
      'insertRecordingSession',
      'inserting the session',
      options,
    );
  }

  private async insertId(
    document: string,
    variables: Variables,
    field: string,
    what: string,
    options?: CallOptions,
  ): Promise<string> {
    const data = await this.http.request<Record<string, { id?: unknown } | null | undefined>>(
      document,
      variables,
      what,
      options,
    );
    const id = data?.[field]?.id;
    if (typeof id !== 'string' && typeof id !== 'number')
      throw new AiveroApiError(
        `${what}: the server answered without an id`,
        { code: 'no-id', httpStatus: 200 },
        false,
      );
    return String(id);
  }

  private expectList<T>(value: T[] | undefined, what: string): T[] {
    if (!Array.isArray(value))
      throw new AiveroApiError(
        `the server's answer has no list "${what}"`,
        { code: 'unexpected-answer', httpStatus: 200 },
        false,
      );
    return value;
  }
}
