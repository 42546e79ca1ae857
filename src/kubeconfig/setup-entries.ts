// The kubeconfig entries `setup` writes: a cluster (reused when one has the same server), the exec
// user `<user>@<cluster>`, a context; optionally current-context. Idempotent.
import { isMap, type Document } from 'yaml';
import type { LockOptions } from './lock.js';
import { clusterByServer, entryNames, findEntry, removeEntry, upsertEntry } from './document.js';
import { editKubeconfigs } from './edit-files.js';

export interface ExecStanza {
  command: string;
  /** Arguments before ours: the Node entry script where the command is Node itself (no sh). */
  leadingArgs?: string[];
  profile: string;
  installHint: string;
  /** The Node the launcher runs (docs/runtime.md): KUBE_CSR_LOGIN_NODE in the stanza's env. */
  node?: string;
}

/** The stanza's env name for the recorded Node; bin/kube-csr-login reads it. */
export const recordedNodeVariable = 'KUBE_CSR_LOGIN_NODE';

export interface SetupEntries {
  server: string;
  certificateAuthorityData: string;
  /** Written when the bundle has them; an existing cluster's own values are otherwise kept. */
  tlsServerName?: string;
  proxyUrl?: string;
  clusterName: string;
  userName: string;
  contextName?: string;
  namespace?: string;
  useContext: boolean;
  exec: ExecStanza;
}

export interface SetupResult {
  cluster: string;
  user: string;
  context: string;
  /** False when an entry for the cluster was already there (found by server or by name). */
  clusterAdded: boolean;
}

export function execUserFields(exec: ExecStanza): Record<string, unknown> {
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: exec.command,
      args: [...(exec.leadingArgs ?? []), 'get-credential', '--profile', exec.profile],
      ...(exec.node === undefined ? {} : { env: [{ name: recordedNodeVariable, value: exec.node }] }),
      interactiveMode: 'IfAvailable',
      provideClusterInfo: true,
      installHint: exec.installHint,
    },
  };
}

export async function writeSetupEntries(files: string[], input: SetupEntries, lock: LockOptions = {}): Promise<SetupResult> {
  return editKubeconfigs(
    files,
    (set) => {
      let cluster: string | undefined;
      for (const f of set.files) {
        cluster = clusterByServer(f.doc, input.server);
        if (cluster !== undefined) break;
      }
      cluster ??= input.clusterName; // a same-named cluster with another server is updated in place
      const clusterAdded = set.files.every((f) => findEntry(f.doc, 'clusters', cluster ?? input.clusterName) === undefined);
      upsertEntry(set.owner('clusters', cluster).doc, 'clusters', cluster, {
        server: input.server,
        'certificate-authority-data': input.certificateAuthorityData,
        ...(input.tlsServerName === undefined ? {} : { 'tls-server-name': input.tlsServerName }),
        ...(input.proxyUrl === undefined ? {} : { 'proxy-url': input.proxyUrl }),
      });
      const user = `${input.userName}@${cluster}`;
      upsertEntry(set.owner('users', user).doc, 'users', user, execUserFields(input.exec));
      const context = input.contextName ?? user;
      upsertEntry(set.owner('contexts', context).doc, 'contexts', context, {
        cluster,
        user,
        ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
      });
      if (input.useContext) {
        const owner = set.currentContextOwner();
        if (owner.doc.get('current-context') !== context) owner.doc.set('current-context', context);
      }
      return { cluster, user, context, clusterAdded };
    },
    lock,
  );
}

/** Removes the user and context setup wrote; the cluster too when nothing else refers to it. */
export async function removeSetupEntries(
  files: string[],
  user: string,
  context: string,
  cluster: string | undefined,
  lock: LockOptions = {},
): Promise<void> {
  await editKubeconfigs(
    files,
    (set) => {
      for (const f of set.files) {
        removeEntry(f.doc, 'users', user);
        removeEntry(f.doc, 'contexts', context);
        if (f.doc.get('current-context') === context) f.doc.set('current-context', '');
      }
      if (cluster === undefined) return;
      const used = set.files.some((f) => entryNames(f.doc, 'contexts').some((name) => contextCluster(f.doc, name) === cluster));
      if (!used) for (const f of set.files) removeEntry(f.doc, 'clusters', cluster);
    },
    lock,
  );
}

function contextCluster(doc: Document, name: string): string | undefined {
  const entry = findEntry(doc, 'contexts', name);
  const body: unknown = entry?.get('context', true);
  if (!isMap(body)) return undefined;
  const value: unknown = body.get('cluster');
  return typeof value === 'string' ? value : undefined;
}
