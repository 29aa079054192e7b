import assert from 'node:assert/strict';
import { InputError } from '../../src/common/errors';
import { parseBrokerUrl, parseOffset } from '../../src/backends/remotive';

describe('remotive: broker URL parsing', () => {
  const good: Array<[string, { target: string; secure: boolean; host: string; port: number }]> = [
    ['http://127.0.0.1', { target: '127.0.0.1:50051', secure: false, host: '127.0.0.1', port: 50051 }],
    ['http://127.0.0.1:50051', { target: '127.0.0.1:50051', secure: false, host: '127.0.0.1', port: 50051 }],
    [
      'http://broker.local:6000/',
      { target: 'broker.local:6000', secure: false, host: 'broker.local', port: 6000 },
    ],
    ['http://h:80', { target: 'h:80', secure: false, host: 'h', port: 80 }],
    ['https://x.a.run.app', { target: 'x.a.run.app:443', secure: true, host: 'x.a.run.app', port: 443 }],
    ['https://x.a.run.app:443', { target: 'x.a.run.app:443', secure: true, host: 'x.a.run.app', port: 443 }],
    ['https://broker:8443', { target: 'broker:8443', secure: true, host: 'broker', port: 8443 }],
    ['  HTTP://Broker:50052  ', { target: 'broker:50052', secure: false, host: 'broker', port: 50052 }],
    ['http://[::1]:50051', { target: '[::1]:50051', secure: false, host: '::1', port: 50051 }],
    ['https://[::1]', { target: '[::1]:443', secure: true, host: '::1', port: 443 }],
  ];
  for (const [url, expected] of good)
    it(`parses ${JSON.stringify(url)}`, () => assert.deepEqual(parseBrokerUrl(url), expected));

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['broker:50051', /http:\/\/ .*https:\/\//],
    ['127.0.0.1:50051', /not a valid URL|http/],
    ['grpc://broker:50051', /must start with http/],
    ['ftp://broker', /must start with http/],
    ['http://', /not a valid URL|no host/],
    ['http://broker:99999', /not a valid URL/],
    ['http://broker/api', /no path/],
    ['https://user:secretpw@broker', /credentials/],
  ];
  for (const [url, message] of bad)
    it(`rejects ${JSON.stringify(url)} with an InputError`, () => {
      assert.throws(
        () => parseBrokerUrl(url),
        (err: unknown) =>
          err instanceof InputError && message.test(err.message) && !err.message.includes('secretpw'),
      );
    });
});

describe('remotive: offset parsing', () => {
  const good: Array<[unknown, number]> = [
    [0, 0],
    [1_500_000, 1_500_000],
    [2.6, 3],
    ['1500000', 1_500_000],
    ['0', 0],
    ['62.5s', 62_500_000],
    ['10s', 10_000_000],
    ['1500ms', 1_500_000],
    ['250us', 250],
    ['250µs', 250],
    ['1.15min', 69_000_000],
    ['2h', 7_200_000_000],
    ['1:02.5', 62_500_000],
    ['0:00', 0],
    ['90:00', 5_400_000_000],
    ['01:02:03.25', 3_723_250_000],
    ['1:00:00', 3_600_000_000],
    [' 3 s ', 3_000_000],
    [BigInt(42), 42],
  ];
  for (const [input, expected] of good)
    it(`reads ${typeof input === 'bigint' ? `${input}n` : JSON.stringify(input)} as ${expected} µs`, () =>
      assert.equal(parseOffset(input), expected));

  const bad: Array<[unknown, RegExp]> = [
    [-1, /negative/],
    ['-5s', /negative/],
    [Number.NaN, /finite/],
    [Number.POSITIVE_INFINITY, /finite/],
    [2 ** 60, /too large/],
    ['', /empty/],
    ['62.5', /ambiguous.*62\.5s/],
    ['abc', /not understood/],
    ['1:75', /seconds/],
    ['1:75:00', /minutes/],
    ['5 parsecs', /not understood/],
    [null, /null/],
    [undefined, /nothing/],
    [{}, /object/],
    [[1], /list/],
  ];
  for (const [input, message] of bad)
    it(`rejects ${String(input)} with an InputError`, () => {
      assert.throws(
        () => parseOffset(input),
        (err: unknown) => err instanceof InputError && message.test(err.message),
      );
    });
});
