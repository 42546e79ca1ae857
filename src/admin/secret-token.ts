// Waits for the token controller (kube-controller-manager) to fill the user's token Secret, bounded:
// a cluster without the controller (or without --service-account-private-key-file) never fills it.
// The token is returned to the caller only; no message carries it.
import { KclError, isKclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { checkToken } from '../token/token-file.js';
import { isRecord } from '../util/validate.js';
import { adminError, objectPath } from './object-refs.js';

export interface WaitDeps {
  client: ApiClient;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

export interface SecretRef {
  namespace: string;
  name: string;
}

export const defaultTokenWaitMs = 30_000;
const pollMs = 250;

export async function waitForSecretToken(deps: WaitDeps, secret: SecretRef, timeoutMs = defaultTokenWaitMs): Promise<string> {
  const label = `Secret ${secret.namespace}/${secret.name}`;
  const path = objectPath({ apiVersion: 'v1', kind: 'Secret', ...secret });
  const deadline = deps.now().getTime() + timeoutMs;
  for (;;) {
    const object = await deps.client.json({ method: 'GET', path, timeoutMs: Math.min(timeoutMs, 30_000) }).catch((error: unknown) => {
      if (isKclError(error, 'notFound')) return undefined; // the token controller deletes a Secret whose ServiceAccount is missing
      throw adminError(error, `read ${label}`);
    });
    const token = tokenOf(object);
    if (token !== undefined) return checkToken(token, `the token in ${label}`);
    if (deps.now().getTime() >= deadline) {
      throw new KclError(
        'timeout',
        `the token controller did not fill ${label} within ${Math.round(timeoutMs / 1000)} s: is kube-controller-manager running (with --service-account-private-key-file)? Or use --token-duration D for a TokenRequest token`,
      );
    }
    await deps.sleep(pollMs);
  }
}

function tokenOf(object: unknown): string | undefined {
  if (!isRecord(object) || !isRecord(object.data)) return undefined;
  const encoded = object.data.token;
  if (typeof encoded !== 'string' || encoded === '') return undefined;
  return Buffer.from(encoded, 'base64').toString('utf8');
}
