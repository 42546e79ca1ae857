// --token-duration: a TokenRequest (POST serviceaccounts/NAME/token) instead of the long-lived
// Secret token. The API server may shorten the duration (--service-account-max-token-expiration);
// the answer's expirationTimestamp says what was granted.
import { KclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { checkToken } from '../token/token-file.js';
import { isRecord, record, string } from '../util/validate.js';
import { adminError, objectPath } from './object-refs.js';

export interface RequestedToken {
  token: string;
  expires: Date;
}

export async function requestToken(
  client: ApiClient,
  account: { namespace: string; name: string },
  expirationSeconds: number,
): Promise<RequestedToken> {
  const label = `ServiceAccount ${account.namespace}/${account.name}`;
  const path = `${objectPath({ apiVersion: 'v1', kind: 'ServiceAccount', ...account })}/token`;
  const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds } };
  const answer = await client.json({ method: 'POST', path, body, timeoutMs: 30_000 }).catch((error: unknown) => {
    throw adminError(error, `request a token for ${label}`);
  });
  let token: string;
  let expires: Date;
  try {
    if (!isRecord(answer)) throw new Error('not an object');
    const status = record(answer, 'status', 'TokenRequest');
    token = string(status, 'token', 'status');
    expires = new Date(string(status, 'expirationTimestamp', 'status'));
    if (Number.isNaN(expires.getTime())) throw new Error('status.expirationTimestamp is not a time');
  } catch (error) {
    throw new KclError(
      'server',
      `the API server sent an unreadable TokenRequest for ${label}: ${error instanceof Error ? error.message : 'bad object'}`,
    );
  }
  return { token: checkToken(token, `the TokenRequest for ${label}`), expires };
}
