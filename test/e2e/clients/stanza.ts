// Runs the exec stanza `setup` wrote the way client-go does: its command, args and env, with
// KUBERNETES_EXEC_INFO for a non-interactive caller, and never our verbose switch.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { type Run, run } from '../cluster.js';
import type { LoggedInUser } from '../long-run/users.js';

export async function runStanza(user: LoggedInUser): Promise<Run> {
  const config = parse(await readFile(user.kubeconfig, 'utf8'));
  const exec = config.users.find((u: { name: string }) => u.name.startsWith(`${user.name}@`))?.user?.exec;
  if (!exec) throw new Error(`${user.kubeconfig} has no exec stanza for ${user.name}`);
  const info = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  const env = Object.fromEntries((exec.env ?? []).map((e: { name: string; value: string }) => [e.name, e.value]));
  const { KUBE_CSR_LOGIN_VERBOSE: _verbose, ...inherited } = process.env;
  return run(exec.command, exec.args ?? [], {
    env: { ...inherited, ...user.env, ...env, KUBERNETES_EXEC_INFO: info },
    inheritEnv: false,
  });
}

/** The PEM label of the private key in an ExecCredential, e.g. "EC PRIVATE KEY". */
export function keyLabel(execCredentialJson: string): string {
  const key: unknown = JSON.parse(execCredentialJson)?.status?.clientKeyData;
  return (typeof key === 'string' && /^-----BEGIN ([A-Z0-9 ]+)-----\n/.exec(key)?.[1]) || 'no PEM key';
}
