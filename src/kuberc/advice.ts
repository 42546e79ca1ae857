// What setup and status say about kubectl's credential plugin policy: one line for the verdicts
// (merged when every kubectl release line agrees), and the allowlist entry to add.
import type { KubectlAccess, Outcome, Verdict } from './verdict.js';

const outcomeText: Record<Outcome, string> = {
  allowed: 'runs kube-csr-login',
  denied: 'refuses to run kube-csr-login',
  'kuberc-error': 'fails on every command',
  unknown: 'may or may not run kube-csr-login',
};

export function allowed(access: KubectlAccess): boolean {
  return access.verdicts.every((verdict) => verdict.outcome === 'allowed');
}

/** e.g. "kubectl refuses to run kube-csr-login: /h/.kube/kuberc sets credentialPluginPolicy DenyAll". */
export function accessLine(access: KubectlAccess): string {
  const [first, ...others] = access.verdicts;
  if (first === undefined) return 'kubectl runs kube-csr-login';
  const same = others.every((v) => v.outcome === first.outcome && v.reason === first.reason);
  const one = (v: Verdict, who: string) => `${who} ${outcomeText[v.outcome]}: ${v.reason}`;
  if (same) return one(first, 'kubectl');
  return access.verdicts.map((v) => one(v, v.kubectl === '1.35' ? 'kubectl 1.35' : 'kubectl 1.36 and later')).join('; ');
}

export function warnings(access: KubectlAccess): string[] {
  return [...new Set(access.verdicts.flatMap((v) => (v.warning === undefined ? [] : [v.warning])))];
}

/** The entry to add to the kuberc, as a YAML snippet with a line on its spellings. */
export function entryLines(access: KubectlAccess): string[] {
  const { entry } = access;
  if (entry === undefined) return [];
  return [
    `To allow it, put this in ${access.kuberc ?? 'your kuberc'} (or run kube-csr-login setup again with --allow-in-kuberc):`,
    '  credentialPluginPolicy: Allowlist',
    '  credentialPluginAllowlist:',
    `  - name: ${entry}`,
    `Every kubectl from 1.35 reads \`name:\`; 1.36 and later also read \`command: ${entry}\`, which 1.35 does not.`,
  ];
}

/** One value for status's table: the verdict line, plus the entry to add when kubectl refuses. */
export function statusText(access: KubectlAccess): string {
  if (allowed(access)) return accessLine(access);
  const { entry } = access;
  const fix = entry ? `; allow it with "- name: ${entry}" in credentialPluginAllowlist (policy Allowlist), or setup --allow-in-kuberc` : '';
  return `${accessLine(access)}${fix}`;
}
