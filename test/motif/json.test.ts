import assert from 'node:assert/strict';
import { parseMotifJson, stringifyMotifJson } from '../../src/backends/motif/json';

describe('motif JSON codec', () => {
  it('writes non-finite numbers as bare tokens, nested too, but not inside strings', () => {
    const text = stringifyMotifJson({
      value: Infinity,
      a: [-Infinity, NaN, 1.5],
      s: 'Infinity',
      o: { x: -Infinity },
    });
    assert.equal(text, '{"value":Infinity,"a":[-Infinity,NaN,1.5],"s":"Infinity","o":{"x":-Infinity}}');
  });

  it('omits undefined object members like JSON.stringify', () => {
    assert.equal(stringifyMotifJson({ a: undefined, b: null, c: [undefined] }), '{"b":null,"c":[null]}');
  });

  it('rejects circular structures with an input error', () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    assert.throws(() => stringifyMotifJson(o), { name: 'InputError' });
  });

  it('parses the tokens back, keeps strings that look like them, and reads an empty body as {}', () => {
    const parsed = parseMotifJson(
      '{"v": Infinity, "w": [-Infinity, NaN], "s": "NaN Infinity", "n": -1e3}',
    ) as Record<string, unknown>;
    assert.equal(parsed.v, Infinity);
    assert.deepEqual((parsed.w as number[]).slice(0, 1), [-Infinity]);
    assert.ok(Number.isNaN((parsed.w as number[])[1]));
    assert.equal(parsed.s, 'NaN Infinity');
    assert.equal(parsed.n, -1000);
    assert.deepEqual(parseMotifJson('  \n'), {});
  });

  it('round-trips a value through both directions', () => {
    const value = { value: -Infinity, meta: { list: [1, 'two', true, null, Infinity] } };
    assert.deepEqual(parseMotifJson(stringifyMotifJson(value)), value);
  });

  it('rejects text that is not JSON', () => {
    assert.throws(() => parseMotifJson('{"a": Inf}'), /invalid JSON/);
    assert.throws(() => parseMotifJson('<html>'), /invalid JSON/);
    assert.throws(() => parseMotifJson('{"a": 1} x'), /invalid JSON/);
  });
});
