/** The one redaction: every form an echo of a secret takes, in time linear in the text. */
import assert from 'node:assert/strict';
import { MAX_REDACTED_TEXT, redact } from '../../src/common/redact';

const SECRET = 'k3y-Secret/With+Odd=Chars';

describe('redact', () => {
  it('cuts the secret out as given and in any letter case', () => {
    assert.equal(redact(`key ${SECRET} end`, [SECRET]), 'key *** end');
    assert.equal(redact(`key ${SECRET.toUpperCase()} end`, [SECRET]), 'key *** end');
    assert.equal(redact(`key ${SECRET.toLowerCase()} end`, [SECRET]), 'key *** end');
  });

  it('cuts it out percent-encoded, wholly or in part, in either hex case', () => {
    assert.equal(redact(`q=${encodeURIComponent(SECRET)}&x=1`, [SECRET]), 'q=***&x=1');
    const everyByte = [...Buffer.from(SECRET)].map((b) => `%${b.toString(16)}`).join('');
    assert.equal(redact(`q=${everyByte}&x=1`, [SECRET]), 'q=***&x=1');
    assert.equal(redact(`q=${everyByte.toUpperCase()}&x=1`, [SECRET]), 'q=***&x=1');
  });

  it('cuts it out base64 and base64url encoded, alone or inside a longer value', () => {
    for (const encoding of ['base64', 'base64url'] as const) {
      assert.doesNotMatch(redact(`v=${Buffer.from(SECRET).toString(encoding)}`, [SECRET]), /[A-Za-z0-9]{8}/);
      for (const prefix of ['u:', 'us:', 'use:']) {
        const encoded = Buffer.from(`${prefix}${SECRET}`).toString(encoding);
        const out = redact(`Basic ${encoded}`, [SECRET]);
        assert.match(out, /\*\*\*/, `${encoding} after ${prefix}`);
        assert.ok(out.length < 20, `${encoding} after ${prefix}: ${out}`);
      }
    }
  });

  it('cuts out a truncated echo (at least two thirds of it, from either end), not a word it starts with', () => {
    assert.equal(redact(`was ${SECRET.slice(0, -3)}…`, [SECRET]), 'was ***…');
    assert.equal(redact(`was …${SECRET.slice(5)} end`, [SECRET]), 'was …*** end');
    assert.equal(redact('was k3y-Secret/W here', [SECRET]), 'was k3y-Secret/W here', 'less than two thirds');
    assert.equal(redact('class="hostile"', ['hostile-error']), 'class="hostile"');
  });

  it('cuts a JWT out by its parts, and any bearer token', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsYWIifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
    const [h, p, s] = jwt.split('.');
    assert.equal(redact(`h=${h} p=${p} s=${s}`, [jwt]), 'h=*** p=*** s=***');
    assert.equal(redact('token eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.abc ok', []), 'token *** ok');
  });

  it('leaves short secrets and unrelated text alone', () => {
    assert.equal(redact('a b c', ['a']), 'a b c');
    assert.equal(redact('nothing here', [SECRET, undefined]), 'nothing here');
  });

  it('stays linear on a text built to make a naive search slow, and is bounded', () => {
    const secret = `${'a'.repeat(40)}b`;
    const text = 'a'.repeat(MAX_REDACTED_TEXT);
    const started = performance.now();
    const out = redact(text, [secret, 'c'.repeat(30)]);
    const ms = performance.now() - started;
    assert.ok(ms < 200, `${ms.toFixed(0)} ms`);
    assert.match(out, /^\*\*\*/, "a run of the secret's first two thirds is cut");
    assert.ok(redact('x'.repeat(MAX_REDACTED_TEXT * 4), [secret]).length <= MAX_REDACTED_TEXT + 1);
  });
});
