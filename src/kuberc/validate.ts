// kubectl's validation of the preferences it loaded (k8s.io/kubectl pkg/kuberc validate, client-go
// exec.ValidatePluginPolicy). It runs before every command: a kuberc failing it makes every kubectl
// command exit 1 ("error occurred while applying preferences"), whatever the command.
import { isRecord } from '../util/validate.js';
import { goClean } from './go-path.js';
import type { KubectlLine } from './schema.js';

export function validatePreference(
  raw: Record<string, unknown>,
  policy: string,
  allowlist: string[] | undefined,
  line: KubectlLine,
  platform: NodeJS.Platform,
): string | undefined {
  return validateAliases(raw) ?? validatePolicy(raw, policy, allowlist, line, platform);
}

function validateAliases(raw: Record<string, unknown>): string | undefined {
  const seen = new Set<string>();
  for (const alias of items(raw.aliases)) {
    const name = typeof alias.name === 'string' ? alias.name : '';
    if (!/^[a-zA-Z]+$/.test(name)) return `alias name "${name.slice(0, 40)}" is not made of letters only`;
    if (seen.has(name)) return `alias ${name} is defined twice`;
    seen.add(name);
    const dashed = optionNames(alias.options ?? alias.flags).find((option) => option.startsWith('-'));
    if (dashed !== undefined) return `alias ${name}: flag name ${dashed.slice(0, 40)} must be given without dashes`;
  }
  for (const defaults of [...items(raw.defaults), ...items(raw.overrides)]) {
    const dashed = optionNames(defaults.options ?? defaults.flags).find((option) => option.startsWith('-'));
    if (dashed !== undefined) return `default flag name ${dashed.slice(0, 40)} must be given without dashes`;
  }
  return undefined;
}

function validatePolicy(
  raw: Record<string, unknown>,
  policy: string,
  allowlist: string[] | undefined,
  line: KubectlLine,
  platform: NodeJS.Platform,
): string | undefined {
  if (policy === '' || policy === 'AllowAll' || policy === 'DenyAll') {
    if (allowlist === undefined) return undefined;
    return `credentialPluginAllowlist is given but credentialPluginPolicy is ${policy || 'not set'}: a list needs Allowlist`;
  }
  if (policy !== 'Allowlist') return `unknown credentialPluginPolicy "${policy.slice(0, 40)}" (AllowAll, DenyAll or Allowlist)`;
  if (allowlist === undefined) return 'credentialPluginPolicy is Allowlist but there is no credentialPluginAllowlist';
  if (allowlist.length === 0) return 'credentialPluginPolicy is Allowlist but credentialPluginAllowlist is empty';
  for (const [index, command] of allowlist.entries()) {
    if (command === '') {
      const entry = items(raw.credentialPluginAllowlist)[index];
      const spelledCommand = line === '1.35' && typeof entry?.command === 'string' && entry.command !== '';
      const hint = spelledCommand ? ' (kubectl 1.35 reads `name:`, not `command:`)' : '';
      return `credentialPluginAllowlist entry #${index + 1} is empty${hint}`;
    }
    const clean = goClean(command, platform);
    if (clean !== command)
      return `credentialPluginAllowlist entry #${index + 1} "${command.slice(0, 200)}" is not a normalized path ("${clean.slice(0, 200)}")`;
  }
  return undefined;
}

function items(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map((item: unknown) => (isRecord(item) ? item : {})) : [];
}

function optionNames(value: unknown): string[] {
  return items(value).map((option) => (typeof option.name === 'string' ? option.name : ''));
}
