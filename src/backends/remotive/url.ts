/**
 * Broker URLs: `http://host[:port]` is plaintext gRPC (default port 50051, the broker's default),
 * `https://host[:port]` is TLS (default 443, RemotiveCloud). The gRPC target is `hostname:port`,
 * built from the hostname so the port never appears twice.
 */
import { InputError } from '../../common/errors';
import { brokerUrlProblem } from '../../common/formats';

export interface BrokerAddress {
  /** What grpc-js dials: `host:port`, IPv6 hosts in brackets. */
  target: string;
  secure: boolean;
  /** Hostname without brackets (also the TLS server name). */
  host: string;
  port: number;
}

export const DEFAULT_PLAIN_PORT = 50051;
export const DEFAULT_TLS_PORT = 443;

/** The broker's address; what is a broker URL is the shared rule (common/formats.ts) the editor runs too. */
export function parseBrokerUrl(url: string): BrokerAddress {
  const problem = brokerUrlProblem(url);
  if (problem !== null) throw new InputError(problem);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    // The rule accepts only what URL parses; this is the guard should the two ever part.
    throw new InputError('the broker URL is not a valid URL (expected http://host:50051 or https://host)');
  }
  const secure = parsed.protocol === 'https:';
  // URL drops a port equal to the scheme default (80/443), so an explicit ":443" still reads right.
  const port = parsed.port
    ? Number(parsed.port)
    : secure
      ? DEFAULT_TLS_PORT
      : (explicitPort(url) ?? DEFAULT_PLAIN_PORT);
  const bracketed = parsed.hostname.startsWith('[');
  const host = bracketed ? parsed.hostname.slice(1, -1) : parsed.hostname;
  return { target: `${parsed.hostname}:${port}`, secure, host, port };
}

/** `http://h:80` has an empty `URL.port` (80 is http's default) but the user did ask for 80. */
function explicitPort(url: string): number | undefined {
  return /^\s*http:\/\/[^/?#]*:80(?:[/?#]|\s*$)/i.test(url) ? 80 : undefined;
}
