/**
 * Baseline for the motif-action benchmark: the node a user could write by hand instead of ours. It
 * sends each message as one raw undici request and passes the parsed answer on: no validation, no
 * status, no typed errors, no deadlines. Node-RED's own cost of a message is in it as in ours, so
 * the ratio against it is what our node adds; the ratio against bare undici adds the runtime.
 */
import tls from 'node:tls';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { Pool } from 'undici';

interface RawUndiciDef extends NodeDef {
  origin: string;
  apiKey: string;
  path: string;
  connections: number;
}

export default function (RED: NodeAPI): void {
  RED.nodes.registerType('bench-raw-undici', function (this: Node, config: RawUndiciDef) {
    RED.nodes.createNode(this, config);
    const pool = new Pool(config.origin, {
      connections: config.connections,
      pipelining: 1,
      connect: { rejectUnauthorized: false } as tls.ConnectionOptions,
    });
    const headers = { 'x-api-key': config.apiKey, 'content-type': 'application/json' };
    this.on(
      'input',
      (msg: NodeMessageInFlow, send: (m: NodeMessageInFlow) => void, done: (e?: Error) => void) => {
        pool
          .request({ path: config.path, method: 'GET', headers })
          .then((res) => res.body.json())
          .then((payload) => {
            msg.payload = payload;
            send(msg);
            done();
          }, done);
      },
    );
    this.on('close', (closed: () => void) => {
      pool.destroy().then(closed, closed);
    });
  });
}
