/**
 * The shared format rules: each accepts and refuses its samples, runs on its own (as the editor
 * runs it, sent by the build), and the runtime's readers built on a rule accept exactly what the
 * rule accepts, so a value the editor lets through is one the runtime takes.
 */
import assert from 'node:assert/strict';
import vm from 'node:vm';
import * as formats from '../../src/common/formats';
import { checkUuid, parseEndpoint, resolveConfig } from '../../src/backends/aivero';
import { pathSegment } from '../../src/backends/motif/endpoints';
import {
  checkCa,
  checkName,
  checkPath,
  MAX_NAME_LENGTH,
  MAX_PATH_LENGTH,
  parseBrokerUrl,
  parseOffset,
} from '../../src/backends/remotive';
import { MAX_SEGMENT_LENGTH } from '../../src/backends/motif/endpoints';
import { MAX_SIGNALS } from '../../nodes/remotive-signals/fields';
import { FORMAT_SAMPLES, type Sample } from './format-samples';

type Rule = (value: unknown) => string | null;
const RULES = formats as unknown as Record<string, Rule>;

/** Whether `read` takes `value` (does not throw). */
function takes(read: (value: unknown) => unknown, value: unknown): boolean {
  try {
    read(value);
    return true;
  } catch {
    return false;
  }
}

function all(name: string): Sample[] {
  return [...FORMAT_SAMPLES[name].accepts, ...FORMAT_SAMPLES[name].refuses];
}

describe('shared format rules', () => {
  it('every rule has samples, and every sample set names a rule', () => {
    assert.deepEqual(Object.keys(FORMAT_SAMPLES).sort(), Object.keys(formats).sort());
  });

  for (const [name, samples] of Object.entries(FORMAT_SAMPLES)) {
    describe(name, () => {
      for (const value of samples.accepts)
        it(`accepts ${JSON.stringify(value).slice(0, 60)}`, () => assert.equal(RULES[name](value), null));
      for (const value of samples.refuses)
        it(`refuses ${JSON.stringify(value).slice(0, 60)} with a reason`, () => {
          const problem = RULES[name](value);
          assert.equal(typeof problem, 'string');
          assert.ok((problem ?? '').length > 5 && (problem ?? '').length <= 200, String(problem));
        });
      it('runs on its own (no name from its module or Node.js) and judges as the runtime does', () => {
        const alone = vm.runInNewContext(`(${RULES[name].toString()})`, Object.create(null)) as Rule;
        for (const value of all(name)) assert.equal(alone(value), RULES[name](value), JSON.stringify(value));
      });
    });
  }

  it('a rule never quotes a credential it refuses', () => {
    for (const secret of ['hunter2 secret', 'pässwort-geheim'])
      assert.doesNotMatch(String(formats.apiKeyProblem(secret)), /hunter2|geheim/);
    assert.doesNotMatch(String(formats.headersProblem({ 'x-proxy': 'top\nsecret' })), /secret/);
    assert.doesNotMatch(String(formats.brokerUrlProblem('https://user:secretpw@broker')), /secretpw/);
  });

  it('a limit a rule writes inside itself is the one its module states', () => {
    // A rule is self-contained, so its limits are literals: they must stay the named ones.
    const edge = (rule: (v: unknown) => string | null, make: (n: number) => unknown, max: number): void => {
      assert.equal(rule(make(max)), null, `${rule.name} takes ${max}`);
      assert.notEqual(rule(make(max + 1)), null, `${rule.name} refuses ${max + 1}`);
    };
    edge(formats.segmentProblem, (n) => 'x'.repeat(n), MAX_SEGMENT_LENGTH);
    edge(formats.filePathProblem, (n) => 'x'.repeat(n), MAX_PATH_LENGTH);
    edge(formats.signalNameProblem, (n) => 'x'.repeat(n), MAX_NAME_LENGTH);
    edge(
      formats.signalNamesProblem,
      (n) => Array.from({ length: n }, (_, i) => `s${i}`).join('\n'),
      MAX_SIGNALS,
    );
  });

  it('more than 5000 signals are refused, 5000 are not', () => {
    const names = (n: number): string => Array.from({ length: n }, (_, i) => `s${i}`).join('\n');
    assert.equal(formats.signalNamesProblem(names(5000)), null);
    assert.match(String(formats.signalNamesProblem(names(5001))), /5001 signals are more than 5000/);
  });

  describe('the runtime accepts exactly what its rule accepts', () => {
    const pairs: Array<[string, (value: unknown) => unknown]> = [
      ['endpointProblem', parseEndpoint],
      ['brokerUrlProblem', (v) => parseBrokerUrl(v as string)],
      ['offsetProblem', parseOffset],
      ['uuidProblem', (v) => checkUuid(v, 'the session id')],
      ['segmentProblem', (v) => pathSegment('serial', typeof v === 'number' ? String(v) : (v as string))],
      ['filePathProblem', (v) => checkPath(v, 'the path')],
      ['signalNameProblem', (v) => checkName(v, 'the namespace')],
      [
        'headersProblem',
        (v) => resolveConfig({ endpoint: 'https://x/v1/graphql', headers: v as Record<string, string> }),
      ],
    ];
    for (const [name, read] of pairs)
      it(name, () => {
        for (const value of all(name)) {
          // The backend takes the headers as an object (the node parses the JSON text first and
          // refuses anything but an object).
          const notObject = typeof value !== 'object' || value === null || Array.isArray(value);
          if (name === 'headersProblem' && notObject) continue;
          assert.equal(takes(read, value), RULES[name](value) === null, JSON.stringify(value).slice(0, 80));
        }
      });

    it('offsets: the parser reads what the rule accepts, to the microsecond', () => {
      assert.equal(parseOffset('01:02:03.25'), 3_723_250_000);
      assert.equal(parseOffset('250µs'), 250);
      assert.equal(parseOffset('9007199254740991'), Number.MAX_SAFE_INTEGER);
    });

    it('a CA text the rule refuses, the runtime refuses too (and it also parses each certificate)', () => {
      for (const value of FORMAT_SAMPLES.pemProblem.refuses)
        if (typeof value === 'string' && value !== '')
          assert.equal(
            takes((v) => checkCa(v as string), value),
            false,
          );
      // The sample blocks are base64 but no certificate: only the runtime's X.509 parse tells.
      assert.equal(formats.pemProblem(FORMAT_SAMPLES.pemProblem.accepts[0]), null);
      assert.equal(
        takes((v) => checkCa(v as string), FORMAT_SAMPLES.pemProblem.accepts[0]),
        false,
      );
    });
  });
});
