/**
 * Checks on a broker's settings, made once when they are configured so that a mistake is reported
 * against the field that holds it instead of surfacing later as a failed handshake or a thrown
 * metadata error. Each check throws InputError with a message naming what is wrong (never quoting
 * a secret); callers turn it into their own configuration error.
 */
import { X509Certificate } from 'node:crypto';
import { InputError } from '../../common/errors';

/** A PEM bundle of CA certificates is rarely above a few hundred kB. */
const MAX_CA_LENGTH = 1_000_000;
/** API keys and access tokens (JWTs) are well below this. */
const MAX_CREDENTIAL_LENGTH = 16_384;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM text must parse; anything else in it (comments) is ignored. */
export function checkCa(pem: string): void {
  if (pem.length > MAX_CA_LENGTH)
    throw new InputError(`the CA text is ${pem.length} characters long (at most ${MAX_CA_LENGTH})`);
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0)
    throw new InputError(
      'the CA text is not a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)',
    );
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
  if (!/^[\x21-\x7e]*$/.test(value))
    throw new InputError(`the ${what} contains a space, a line break or a non-ASCII character`);
}
