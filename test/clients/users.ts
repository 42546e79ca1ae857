// The matrix's users beyond what the long-running tests give them: helm's rights, and the key form
// the exec stanza setup wrote answers with.
import { run } from '../e2e/cluster.js';
import { keyLabel, runStanza } from '../e2e/clients/stanza.js';
import type { ClusterAccess, LoggedInUser } from '../e2e/long-run/users.js';

/** Lets the user list Secrets in the namespace: what `helm list` reads. */
export async function grantSecretList(cluster: ClusterAccess, name: string, namespace: string): Promise<void> {
  const kubectl = (...args: string[]) => run(cluster.kubectl, ['--kubeconfig', cluster.adminKubeconfig, '-n', namespace, ...args]);
  const role = `helm-${name}`;
  const made = [
    await kubectl('create', 'role', role, '--verb=get,list', '--resource=secrets'),
    await kubectl('create', 'rolebinding', role, `--role=${role}`, `--user=${name}`),
  ];
  const failed = made.find((r) => r.code !== 0 && !/already exists/i.test(r.stderr));
  if (failed) throw new Error(`granting ${name} list on secrets failed: ${failed.stderr}`);
}

/** Runs the stanza as kubectl would and returns the PEM label of the key it answers with. */
export async function servedKeyLabel(user: LoggedInUser): Promise<string> {
  const answer = await runStanza(user);
  if (answer.code !== 0 || answer.stderr !== '') throw new Error(`the exec stanza failed or wrote to stderr: ${answer.stderr}`);
  return keyLabel(answer.stdout);
}
