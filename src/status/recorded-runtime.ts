// Whether the Node.js a profile's exec entry records (KUBE_CSR_LOGIN_NODE, written by setup; see
// docs/runtime.md) can still run. kubectl keeps working from the cache until the certificate needs
// renewing, then fails: status says so before that happens. Read-only; an entry that is not ours
// (edited by hand, another tool) or a kubeconfig that cannot be read is not judged here.
import { constants, promises as fs } from 'node:fs';
import { isMap, isSeq } from 'yaml';
import { findEntry, parseKubeconfig } from '../kubeconfig/document.js';
import { recordedNodeVariable } from '../kubeconfig/setup-entries.js';
import type { Profile } from '../profile/profile.js';
import { readTextIfExists } from '../util/files.js';

/** Why the recorded Node cannot run, or undefined (fine, or nothing recorded). */
export async function recordedRuntimeProblem(profileName: string, entries: Profile['kubeconfig']): Promise<string | undefined> {
  const node = entries && (await recordedNode(entries.files, entries.user));
  if (node === undefined) return undefined;
  const runnable = await fs
    .stat(node)
    .then(async (stat) => stat.isFile() && (await fs.access(node, constants.X_OK).then(() => true)))
    .catch(() => false);
  if (runnable) return undefined;
  return `the Node.js setup recorded (${node}) is gone or not executable: kubectl fails at the next renewal; run kube-csr-login setup --profile ${profileName} again`;
}

async function recordedNode(files: readonly string[], user: string): Promise<string | undefined> {
  for (const file of files) {
    try {
      const entry = findEntry(parseKubeconfig(await readTextIfExists(file), file), 'users', user);
      const env: unknown = entry?.getIn(['user', 'exec', 'env'], true);
      if (!isSeq(env)) continue;
      for (const item of env.items) {
        const value: unknown = isMap(item) && item.get('name') === recordedNodeVariable ? item.get('value') : undefined;
        if (typeof value === 'string' && value !== '') return value;
      }
    } catch {
      // unreadable or not a kubeconfig: kubectl reports that itself
    }
  }
  return undefined;
}
