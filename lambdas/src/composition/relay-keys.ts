import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Keyring, parseKeyringText } from '@rackops/core/relay/keyring';
import { ValidationError } from '@rackops/core/util/errors';

/** Re-read at most this often, so a rotation reaches warm containers within minutes. */
const RELAY_KEY_TTL_MS = 5 * 60_000;

/**
 * The relay keyring from Secrets Manager: one plain key (kid `default`) or JSON `{activeKid, keys}` during and
 * after a rotation. Cached per container for five minutes; a failed fetch is retried next call.
 */
export function secretRelayKeys(client: () => SecretsManagerClient, secretArn: () => string) {
  let cached: { keys: Promise<Keyring>; at: number } | undefined;
  const fetch = (): Promise<Keyring> =>
    client()
      .send(new GetSecretValueCommand({ SecretId: secretArn() }))
      .then((out) => {
        if (!out.SecretString) throw new ValidationError('the relay signing key secret is empty');
        return parseKeyringText(out.SecretString);
      })
      .catch((err: unknown) => {
        cached = undefined;
        throw err;
      });
  return (): Promise<Keyring> => {
    if (cached && Date.now() - cached.at > RELAY_KEY_TTL_MS) cached = undefined;
    cached ??= { at: Date.now(), keys: fetch() };
    return cached.keys;
  };
}
