/** WebSocket clients for the tests: graphql-ws (graphql-transport-ws) and a raw legacy-protocol socket. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { AiveroSimulator } from '../../src/simulators/aivero';

/** A `ws` WebSocket that trusts the simulator's certificate, for graphql-ws' `webSocketImpl`. */
export function trustingWebSocket(ca: string | undefined): unknown {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { ca });
    }
  };
}

export function transportClient(
  sim: AiveroSimulator,
  headers: Record<string, string> = { 'x-hasura-admin-secret': sim.adminSecret },
  extra: { onClose?: (code: number, reason: string) => void } = {},
): Client {
  return createClient({
    url: sim.wsUrl,
    webSocketImpl: trustingWebSocket(sim.ca),
    connectionParams: { headers },
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (e) => {
        const ev = e as { code: number; reason: string };
        extra.onClose?.(ev.code, String(ev.reason));
      },
    },
  });
}

export interface Collected<T> {
  values: T[];
  errors: unknown[];
  completed: boolean;
  dispose: () => void;
}

/** Subscribes and collects every `next`; `dispose` ends the subscription. */
export function collect<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Collected<T> {
  const out: Collected<T> = { values: [], errors: [], completed: false, dispose: () => undefined };
  out.dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => out.values.push(v as T),
      error: (e) => out.errors.push(e),
      complete: () => (out.completed = true),
    },
  );
  return out;
}

/** A raw socket speaking the legacy Apollo protocol, recording every server message. */
export class LegacySocket {
  readonly messages: Array<{ type: string; id?: string; payload?: unknown }> = [];
  closed: { code: number; reason: string } | undefined;
  readonly ws: WebSocket;

  constructor(sim: AiveroSimulator, protocol: string | undefined) {
    this.ws = new WebSocket(sim.wsUrl, protocol ? [protocol] : [], { ca: sim.ca });
    this.ws.on('message', (raw: Buffer) =>
      this.messages.push(JSON.parse(raw.toString()) as LegacySocket['messages'][0]),
    );
    this.ws.on(
      'close',
      (code: number, reason: Buffer) => (this.closed = { code, reason: reason.toString() }),
    );
    this.ws.on('error', () => undefined);
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  of(type: string, id?: string): Array<{ type: string; id?: string; payload?: unknown }> {
    return this.messages.filter((m) => m.type === type && (id === undefined || m.id === id));
  }

  close(): void {
    this.ws.terminate();
  }
}
