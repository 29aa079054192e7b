/**
 * Values each shared format rule (src/common/formats.ts) must accept and refuse: the unit tests
 * check the rules with them, the browser test that the editor's copy of each rule (sent by the
 * build) judges them exactly as the runtime's does. Only JSON values, so they reach the browser.
 */
export type Sample = string | number | boolean | null | Sample[] | { [key: string]: Sample };

export interface Samples {
  accepts: Sample[];
  refuses: Sample[];
}

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nAbC+/9==\n-----END CERTIFICATE-----';

export const FORMAT_SAMPLES: Record<string, Samples> = {
  hostProblem: {
    accepts: ['10.11.12.13', 'motif', 'motif-pc.lab.local', 'my_host', '::1', '[::1]', 'fe80::1', ' motif '],
    refuses: [
      '',
      'https://motif',
      'motif pc',
      'motif:6083',
      '[::1',
      '999.1.1.1',
      '1.2.3',
      'host/path',
      '-x',
      42,
    ],
  },
  fingerprintProblem: {
    accepts: [
      'C5:0C:CF:AB:5D:E5:43:FF:B5:90:45:A5:09:76:1C:4A:04:F1:A1:3C:62:4F:17:0C:E0:7D:41:E6:22:E6:7D:10',
      'c50ccfab5de543ffb59045a509761c4a04f1a13c624f170ce07d41e622e67d10',
      'C5 0C CF AB 5D E5 43 FF B5 90 45 A5 09 76 1C 4A 04 F1 A1 3C 62 4F 17 0C E0 7D 41 E6 22 E6 7D 10',
    ],
    refuses: ['', 'zz:11', 'C5:0C', 'g'.repeat(64), null],
  },
  pemProblem: {
    accepts: [PEM, `${PEM}\n${PEM}`, `subject=CN = lab CA\nissuer=CN = lab CA\n${PEM}\n`],
    refuses: [
      '',
      'not a pem',
      '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----',
      '-----BEGIN CERTIFICATE-----\nzz zz!\n-----END CERTIFICATE-----',
      '-----BEGIN CERTIFICATE-----\nMIIB',
      42,
    ],
  },
  brokerUrlProblem: {
    accepts: [
      'http://127.0.0.1',
      'http://127.0.0.1:50051',
      'https://x.a.run.app',
      'http://broker.local:6000/',
      'http://my_broker:50051',
      'http://[::1]:50051',
      '  HTTP://Broker:50052  ',
    ],
    refuses: [
      '',
      'broker:50051',
      'grpc://broker:50051',
      'http://',
      'http://broker:99999',
      'http://broker:0',
      'http://broker/api',
      'http://broker?x=1',
      'https://user:pw@broker',
      'http://999.1.1.1',
      'http://bro ker',
    ],
  },
  endpointProblem: {
    accepts: [
      'https://ds.aivero.lan/v1/graphql',
      'https://ds.aivero.lan:8443/hasura/v1/graphql/',
      'wss://ds.aivero.lan/v1/graphql',
      'http://127.0.0.1:8080',
      'ws://[::1]:8080/v1/graphql',
      'https://gateway_1.lab/v1/graphql',
      'https://h/a b/v1/graphql',
    ],
    refuses: [
      '',
      'ds.aivero.lan',
      'ftp://x/v1/graphql',
      'https://u:p@x/v1/graphql',
      'https://x/v1/graphql?a=1',
      'https://x/v1/graphql#f',
      'https://x:99999/v1/graphql',
      'https:///v1/graphql',
      'https://1a.2/v1/graphql',
      `https://x/${'a'.repeat(2050)}`,
      42,
    ],
  },
  headersProblem: {
    accepts: [{}, { Authorization: 'Basic eDp5' }, { 'X-Trace': 7 }, '{"Authorization": "Bearer abc"}', '{}'],
    refuses: [
      '[1]',
      '{"a":',
      'null',
      { 'bad name': 'v' },
      { 'x-proxy': 'a\nb' },
      { 'X-Hasura-Admin-Secret': 'v' },
      { Host: 'h' },
      { 'x-nested': { a: 'b' } },
      { 'x-flag': true },
      [],
    ],
  },
  uuidProblem: {
    accepts: ['0b5d7a3e-9c1f-4e2a-8f6b-1d2c3e4f5a6b', ' 0B5D7A3E-9C1F-4E2A-8F6B-1D2C3E4F5A6B '],
    refuses: ['', 'not-a-uuid', '0b5d7a3e9c1f4e2a8f6b1d2c3e4f5a6b', 42],
  },
  segmentProblem: {
    accepts: ['FAKE0', 'out_1', 'a.b', 'x'.repeat(128), 'Kamera-ä', 17],
    refuses: ['', '.', '..', 'a/b', 'a b', 'x'.repeat(129), 'a\u202eb', 'a\u0000b', null],
  },
  taskTargetProblem: {
    accepts: ['out1', ' gain ', 'x'.repeat(100)],
    refuses: ['', 'a/b', 'a b', 'x'.repeat(101)],
  },
  offsetProblem: {
    accepts: [
      0,
      1_500_000,
      2.6,
      '1500000',
      '62.5s',
      '1500ms',
      '250us',
      '250µs',
      '1.15min',
      '2h',
      '1:02.5',
      '90:00',
      '01:02:03.25',
      ' 3 s ',
      '9007199254740991',
    ],
    refuses: [
      -1,
      '-5s',
      '',
      '62.5',
      'abc',
      '1:75',
      '1:75:00',
      '5 parsecs',
      '9007199254740993',
      '99999999999h',
      null,
      [1],
      {},
    ],
  },
  filePathProblem: {
    accepts: ['drive/city-loop.recordingsession.yaml', './drive/a.yaml', 'a'.repeat(2000), 'Fahrt ä/1.yaml'],
    refuses: ['', '  ', '../etc/passwd', 'a/../../b', 'a\\..\\b', 'a\nb', 'a\u0085b', 'a'.repeat(4097), 42],
  },
  signalNameProblem: {
    accepts: ['Vehicle.Speed', 'Body Signals', 'ns/with/slashes', 'x'.repeat(512)],
    refuses: ['', '  ', 'a\nb', 'x'.repeat(513), 42],
  },
  signalNamesProblem: {
    accepts: ['Speed', 'Speed\nRpm', 'Speed, Rpm, Speed', ' Speed \n\n', ['Speed', 'Rpm'], 'x'.repeat(512)],
    refuses: ['', ' \n , ', 'a\u0001b', 'x'.repeat(513), []],
  },
  scheduleNameProblem: {
    accepts: ['lights on', 'Zeitplan 1 – Aufnahme', '实验 2', 'x'.repeat(100)],
    refuses: ['', '*', ' lead', 'trail ', 'a\u202eb', 'nul\u0000', 'x'.repeat(101), 7],
  },
  apiKeyProblem: {
    accepts: ['abc123', 'key-with_punct!~', '__PWRD__'],
    refuses: ['', 'bad key', 'line\nbreak', 'ключ', 42],
  },
  mqttTopicProblem: {
    accepts: ['recorders/rigs/rig-1/leader/recording', 'a', '/x/', 'Labor ä/Aufnahme', 'x'.repeat(1000)],
    refuses: ['', 'a/+/b', 'a/#', '$SYS/x', ' a', 'a\u0000b', 'a\nb', 'x'.repeat(1001), 42],
  },
  instanceIdProblem: {
    accepts: ['rig-1-a', 'pc7.lab.local', 'node@host:1880', 'A_1', 'x'.repeat(100)],
    refuses: ['', 'two words', 'a/b', 'ä', 'x'.repeat(101), 'a\nb', 7],
  },
};
