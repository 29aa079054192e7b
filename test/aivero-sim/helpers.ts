/** Shared set-up for the Aivero simulator tests: a started simulator and a raw GraphQL caller. */
import { Agent, fetch } from 'undici';
import { AiveroSimulator, type AiveroSimulatorOptions } from '../../src/simulators/aivero';

export interface HasuraAnswer {
  data?: Record<string, unknown>;
  errors?: Array<{ message: string; extensions: { path: string; code: string } }>;
}

const agents = new WeakMap<AiveroSimulator, Agent>();

export async function startSim(options: AiveroSimulatorOptions = {}): Promise<AiveroSimulator> {
  return AiveroSimulator.start({ adminSecret: 'test-secret', ...options });
}

function agentFor(sim: AiveroSimulator): Agent {
  let a = agents.get(sim);
  if (!a) {
    a = new Agent({ connect: { ca: sim.ca }, keepAliveTimeout: 10 });
    agents.set(sim, a);
  }
  return a;
}

export async function closeAgent(sim: AiveroSimulator): Promise<void> {
  const a = agents.get(sim);
  agents.delete(sim);
  await a?.close();
}

export const admin = (sim: AiveroSimulator): Record<string, string> => ({
  'x-hasura-admin-secret': sim.adminSecret,
});

/** POSTs one GraphQL request; returns the HTTP status and the parsed body. */
export async function post(
  sim: AiveroSimulator,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = admin(sim),
  url = sim.url,
): Promise<{ status: number; body: HasuraAnswer }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    dispatcher: agentFor(sim),
  });
  return { status: res.status, body: (await res.json()) as HasuraAnswer };
}

/** Like post, but expects data and returns it. */
export async function gql<T = Record<string, unknown>>(
  sim: AiveroSimulator,
  query: string,
  variables: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Promise<T> {
  const { status, body } = await post(sim, query, variables, headers);
  if (status !== 200 || body.errors || !body.data)
    throw new Error(`unexpected answer ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  return body.data as T;
}

/** Expects a Hasura error answer (HTTP 200, no data) and returns its only error. */
export async function gqlError(
  sim: AiveroSimulator,
  query: string,
  variables: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Promise<{ message: string; code: string; path: string }> {
  const { status, body } = await post(sim, query, variables, headers);
  if (status !== 200 || !body.errors || 'data' in body)
    throw new Error(`expected a Hasura error, got ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  const e = body.errors[0];
  return { message: e.message, code: e.extensions.code, path: e.extensions.path };
}

/** Polls `check` until it returns a value other than undefined, at most `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  ms = 5000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
