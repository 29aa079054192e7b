/**
 * A server echoing the credential in the forms an echo takes (other case, percent-encoded, base64
 * and base64url, alone or inside a basic-auth value, cut short, a JWT by its parts): none reaches
 * msg.error.message of the Catch node, the node's status or the log, in a real Node-RED runtime
 * against a hostile HTTPS server.
 */
import assert from 'node:assert/strict';
import { startHostileFront, type HostileFront } from '../aivero/hostile-front';
import { nextMessage } from '../support/flow';
import { helper, loadFlow } from '../support/node-red';
import { actionNode, AIVERO, flow } from './aivero-helpers';

const SECRET = 'Adm1n/Secret+Key=42!';
const JWT = [
  Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'),
  Buffer.from('{"sub":"lab-dashboard","x-hasura-default-role":"user"}').toString('base64url'),
  'kQ3v7Jd0S2n9yPq4Wm8Zx1Lc5Rb6Tf0Hg2Uj4Ne7Ai9',
].join('.');

const percentEveryByte = (text: string): string =>
  [...Buffer.from(text)].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

/** Each echo, with what must not be left of it (lower-cased: compared without case). */
function echoes(secret: string): Array<{ what: string; echo: string; leak: string[] }> {
  const b64 = Buffer.from(secret).toString('base64');
  const b64url = Buffer.from(secret).toString('base64url');
  const basic = Buffer.from(`lab:${secret}`).toString('base64');
  return [
    { what: 'upper-cased', echo: secret.toUpperCase(), leak: [secret.toLowerCase()] },
    { what: 'percent-encoded', echo: encodeURIComponent(secret), leak: [encodeURIComponent(secret)] },
    { what: 'every byte percent-encoded', echo: percentEveryByte(secret), leak: [percentEveryByte(secret)] },
    { what: 'base64', echo: b64, leak: [b64.replace(/=+$/, '').slice(0, -1)] },
    { what: 'base64url', echo: b64url, leak: [b64url.slice(0, -1)] },
    { what: 'base64 inside basic auth', echo: `Basic ${basic}`, leak: [basic.slice(6, -4)] },
    { what: 'cut short (last 3 characters)', echo: secret.slice(0, -3), leak: [secret.slice(0, -3)] },
    { what: 'cut short (first 3 characters)', echo: secret.slice(3), leak: [secret.slice(3)] },
  ];
}

describe('aivero nodes: echoed credentials', function () {
  this.timeout(30_000);
  let front: HostileFront;
  const queue: string[] = [];

  before(async () => {
    front = await startHostileFront();
    // Each listSessions is answered with the next echo, as Hasura words a bad value.
    front.rules.push((req) => {
      if (req.operation !== 'ListRecordingSessions') return undefined;
      const echo = queue.shift() ?? 'nothing';
      return {
        json: {
          errors: [
            {
              message: `unexpected value "${echo}" for header x-hasura-admin-secret`,
              extensions: { code: 'validation-failed', path: `$.headers[${echo}]` },
            },
          ],
        },
      };
    });
  });
  after(async () => {
    await front.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  async function run(
    credentials: Record<string, string>,
    auth: 'admin' | 'jwt',
    echo: string,
  ): Promise<string> {
    await loadFlow(
      AIVERO,
      flow(
        {
          id: 'srv',
          type: 'aivero-server',
          endpoint: front.url,
          auth,
          tlsMode: 'ca',
          ca: front.ca,
          timeout: 5,
        },
        actionNode({ operation: 'listSessions' }),
      ),
      { srv: credentials },
    );
    queue.push(echo);
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('act').receive({ _msgid: 'echo' });
    const message = String((await caught).error && ((await caught).error as { message: string }).message);
    const logged = JSON.stringify(helper.log().args);
    const statuses = JSON.stringify((helper.getNode('act').status as unknown as { args: unknown[] }).args);
    return `${message}\n${logged}\n${statuses}`;
  }

  for (const { what, echo, leak } of echoes(SECRET)) {
    it(`the admin secret ${what}`, async () => {
      const seen = await run({ adminSecret: SECRET }, 'admin', echo);
      assert.match(seen, /\*\*\*/, 'the echo was cut out, not the whole message');
      for (const part of leak)
        assert.equal(
          seen.toLowerCase().includes(part.toLowerCase()),
          false,
          `"${part}" in ${seen.slice(0, 300)}`,
        );
    });
  }

  it('a JWT echoed by its dot-separated parts', async () => {
    const [header, claims, signature] = JWT.split('.');
    const seen = await run({ jwt: JWT }, 'jwt', `header ${header}, claims ${claims}, signature ${signature}`);
    for (const part of [header, claims, signature])
      assert.equal(seen.includes(part), false, `"${part}" in ${seen.slice(0, 300)}`);
    assert.match(seen, /header \*\*\*, claims \*\*\*, signature \*\*\*/);
  });
});
