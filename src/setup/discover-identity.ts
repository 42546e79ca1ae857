// Who the long-term token belongs to, asked of the API server (SelfSubjectReview), and which groups
// its certificates may carry (the ServiceAccount's kube-csr-login.io/groups annotation, readable by
// the account itself through the Role `admin add-user` creates).
import { KclError, isKclError } from '../errors.js';
import type { ApiClient } from '../kube/http.js';
import { parseServiceAccount } from '../kube/service-account.js';
import { whoAmI } from '../kube/who-am-i.js';

const timeoutMs = 15_000;

export interface Identity {
  /** What the API server calls the token's holder, e.g. system:serviceaccount:users:jean.doe. */
  username: string;
  /** The certificate user (CN): the ServiceAccount's name. */
  user: string;
  namespace: string;
  /** From the annotation; undefined when the account may not read it. */
  groups: string[] | undefined;
}

export async function discoverIdentity(client: ApiClient): Promise<Identity> {
  const { username } = await whoAmI(client);
  const match = /^system:serviceaccount:([a-z0-9.-]+):([a-z0-9.-]+)$/.exec(username);
  if (!match?.[1] || !match[2]) {
    throw new KclError(
      'config',
      `the token belongs to "${username.slice(0, 100)}", not to a ServiceAccount: ask your admin for a login bundle (kube-csr-login admin add-user)`,
    );
  }
  const [, namespace, user] = match;
  return { username, user, namespace, groups: await annotatedGroups(client, namespace, user) };
}

async function annotatedGroups(client: ApiClient, namespace: string, name: string): Promise<string[] | undefined> {
  let account: unknown;
  try {
    account = await client.json({ method: 'GET', path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}`, timeoutMs });
  } catch (error) {
    if (isKclError(error, 'forbidden') || isKclError(error, 'notFound')) return undefined;
    throw error;
  }
  try {
    return parseServiceAccount(account).groups.sort();
  } catch {
    throw new KclError('server', `the API server sent an unreadable ServiceAccount ${namespace}/${name}`);
  }
}
