/** What an aivero-server is told: one table for the runtime and the editor's defaults. */
import { field } from '../../src/kit/fields';

export const AUTH_MODES = ['admin', 'jwt', 'none'] as const;
export const TLS_MODES = ['verify', 'ca', 'insecure'] as const;

export const FIELDS = {
  name: field.name(),
  endpoint: field.text({
    label: 'endpoint',
    default: 'https://127.0.0.1:8443/v1/graphql',
    maxLength: 2048,
    required: true,
  }),
  /** Which credential is sent: the admin secret, a JWT, or none (Hasura's `public` role). */
  auth: field.text({ label: 'authentication', default: 'admin', choices: AUTH_MODES }),
  role: field.text({ label: 'role', maxLength: 100 }),
  /**
   * Extra headers as a plain field: how older flows stored them. Header values are credentials, so
   * they now live in the `extraHeaders` credential; this field is read only while that one is empty,
   * and the editor moves it there on the next Done.
   */
  headers: field.json({ label: 'extra headers' }),
  tlsMode: field.text({ label: 'TLS trust', default: 'verify', choices: TLS_MODES }),
  ca: field.text({ label: 'CA certificate', maxLength: 100_000 }),
  timeout: field.number({ label: 'timeout', default: 10, min: 1, max: 3600 }),
};

/** Credentials: stored by Node-RED only, never in the flow. */
export const CREDENTIALS = {
  adminSecret: { type: 'password' },
  jwt: { type: 'password' },
  /** Extra headers as a JSON object of name → value, e.g. a proxy's `Authorization: Basic …`. */
  extraHeaders: { type: 'password' },
} as const;
