import assert from 'node:assert/strict';
import { MAX_ERROR_TEXT } from '../../src/backends/aivero';
import { Redactor } from '../../src/backends/aivero/errors';

describe('aivero: redaction', () => {
  it('scrubs every credential and any bearer token, caps the length, drops control characters', () => {
    const r = new Redactor(['s3cret-admin', 'dXNlcjpwdw==']);
    const text = r.text(
      'bad s3cret-admin and Basic dXNlcjpwdw== and eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig\u0007!',
    );
    assert.doesNotMatch(text, /s3cret|dXNlcjpwdw|eyJhbGci/);
    assert.match(text, /\*\*\*/);
    assert.ok(!text.includes('\u0007'));
    assert.equal(r.text('x'.repeat(5000)).length, MAX_ERROR_TEXT);
  });
});
