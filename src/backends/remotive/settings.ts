/**
 * Checks on a broker's settings, made once when they are configured so that a mistake is reported
 * against the field that holds it instead of surfacing later as a failed handshake or a thrown
 * metadata error. Each check throws InputError with a message naming what is wrong (never quoting
 * a secret); callers turn it into their own configuration error.
 */
import { X509Certificate } from 'node:crypto';
import { InputError } from '../../common/errors';
import { apiKeyProblem, pemProblem } from '../../common/formats';

/** API keys and access tokens (JWTs) are well below this. */
const MAX_CREDENTIAL_LENGTH = 16_384;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Every certificate of a PEM text must parse; anything else in it (comments) is ignored. Its
 * format is the shared rule (common/formats.ts) the editor runs too; the parse is the runtime's own.
 */
export function checkCa(pem: string): void {
  const problem = pemProblem(pem);
  if (problem !== null) throw new InputError(`the CA text ${problem}`);
  const blocks = pem.match(PEM_BLOCK) ?? [];
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new InputError(`certificate ${i + 1} of the CA text does not parse`);
    }
  });
}

/**
 * An API key or access token travels as gRPC metadata: printable ASCII without spaces. A pasted
 * key with a space or a line break would otherwise make every call throw.
 */
export function checkCredential(value: string, what: string): void {
  if (value.length > MAX_CREDENTIAL_LENGTH)
    throw new InputError(`the ${what} is ${value.length} characters long (at most ${MAX_CREDENTIAL_LENGTH})`);
  if (value !== '' && apiKeyProblem(value) !== null)
    throw new InputError(`the ${what} contains a space, a line break or a non-ASCII character`);
}
