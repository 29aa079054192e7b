/** remotive-broker's fields: the one place for their defaults, read by the runtime and the editor. */
import { DEFAULT_PLAIN_PORT } from '../../src/backends/remotive';
import { field } from '../../src/kit/fields';

export const FIELDS = {
  name: field.name(),
  url: field.text({
    label: 'URL',
    default: `http://127.0.0.1:${DEFAULT_PLAIN_PORT}`,
    required: true,
    maxLength: 2000,
  }),
  /** Extra trusted CA certificate(s), PEM; https only. */
  ca: field.text({ label: 'CA certificate', maxLength: 1_000_000 }),
  /** Deadline of each call, s. */
  timeout: field.number({ label: 'timeout', default: 10, min: 0.1, max: 3600 }),
  /** Keepalive ping interval, s (0 = no pings). */
  keepalive: field.number({ label: 'keepalive', default: 30, min: 0, max: 3600 }),
  /** A playing status stream silent this long is stalled, s (0 = never). */
  statusStall: field.number({ label: 'status stall', default: 5, min: 0, max: 3600 }),
};

export const CREDENTIALS = {
  apiKey: { type: 'password' },
  accessToken: { type: 'password' },
} as const;
