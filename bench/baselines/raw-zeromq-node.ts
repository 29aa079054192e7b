/**
 * Baseline for the motif-stream benchmark: the node a user could write by hand instead of ours. On
 * `{action: 'start'}` it reads the image stream with a raw zeromq PULL socket (the same high-water
 * mark as ours) and sends each frame on as `msg.payload` with its parsed metadata; no validation,
 * no flow control, no reconnects, no status. Node-RED's own cost of a message is in it as in ours.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import * as zmq from 'zeromq';

interface RawZeromqDef extends NodeDef {
  url: string;
}

export default function (RED: NodeAPI): void {
  RED.nodes.registerType('bench-raw-zeromq', function (this: Node, config: RawZeromqDef) {
    RED.nodes.createNode(this, config);
    let socket: zmq.Pull | undefined;
    const read = async (pull: zmq.Pull): Promise<void> => {
      try {
        for (;;) {
          const [meta, data] = await pull.receive();
          this.send({ payload: data, image: JSON.parse(meta.toString()) as unknown });
        }
      } catch {
        // closed
      }
    };
    this.on('input', (msg: NodeMessageInFlow) => {
      const action = (msg as { action?: string }).action;
      if (action === 'start' && !socket) {
        socket = new zmq.Pull({ linger: 0, receiveHighWaterMark: 4 });
        socket.connect(config.url);
        read(socket).catch(() => undefined); // read() ends quietly when the socket is closed
      } else if (action === 'stop' && socket) {
        socket.close();
        socket = undefined;
      }
    });
    this.on('close', () => {
      socket?.close();
      socket = undefined;
    });
  });
}
