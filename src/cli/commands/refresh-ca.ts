// `kube-csr-login setup --refresh-ca [--profile P]`: after the cluster's serving CA rotated (status
// says so), adopt the CA the cluster publishes, checked against the current trust (setup/refresh-ca.ts).
import { KclError } from '../../errors.js';
import { profileCacheFiles } from '../../cache/layout.js';
import { createApiClient } from '../../kube/http.js';
import { proxyEnvironment } from '../../kube/proxy-env.js';
import { type Profile, readProfile, validateProfileName } from '../../profile/profile.js';
import { refreshCa } from '../../setup/refresh-ca.js';
import { resolveTokenSource } from '../../token/token-source.js';
import { tokenStore } from '../../token/token-store.js';
import { type Edge, dirs } from '../edge.js';
import { terminalTokenDeps } from '../token-deps.js';

export async function runRefreshCa(values: Record<string, unknown>, edge: Edge): Promise<void> {
  const others = Object.keys(values).filter((key) => key !== 'refresh-ca' && key !== 'profile');
  if (others.length > 0) throw new KclError('usage', `setup --refresh-ca takes only --profile (not --${others[0] ?? ''})`);
  const name = validateProfileName(typeof values.profile === 'string' ? values.profile : 'default');
  const { configDir, cacheDir } = await dirs(edge);
  const profile = await readProfile(configDir, name);
  if (!profile) throw new KclError('notFound', `no profile "${name}" (set it up with: kube-csr-login setup --profile ${name})`);
  const proxyEnv = proxyEnvironment(edge.env);
  const result = await refreshCa(
    {
      configDir,
      now: edge.now,
      readToken: (p) => readProfileToken(edge, name, p),
      openTokenApi: (connection, token) => createApiClient(connection, token, proxyEnv),
    },
    name,
    profile,
    profileCacheFiles(cacheDir, name).caCheck,
  );
  const trusted = `${result.trusted.length} CA${result.trusted.length === 1 ? '' : 's'}: ${result.trusted.join('; ')}`;
  if (!result.changed) {
    edge.stdout(`profile "${name}": the CA matches the serving CA the cluster publishes (${trusted}); nothing changed\n`);
    return;
  }
  const lines = [`profile "${name}": now trusts the published serving CA (${trusted})`];
  if (result.added.length > 0) lines.push(`  added: ${result.added.join('; ')}`);
  if (result.removed.length > 0) lines.push(`  removed: ${result.removed.join('; ')}`);
  lines.push(
    result.kubeconfigCluster === undefined
      ? '  no kubeconfig cluster entry of this profile to update (update certificate-authority-data by hand)'
      : `  kubeconfig cluster ${result.kubeconfigCluster}: certificate-authority-data updated`,
  );
  edge.stdout(`${lines.join('\n')}\n`);
}

/** The profile's long-term token, asking for its passphrase on the terminal if it is encrypted. */
export async function readProfileToken(edge: Edge, name: string, profile: Profile): Promise<string> {
  const source = resolveTokenSource(undefined, profile);
  if (!source) throw new KclError('config', `profile "${name}" has no token: run kube-csr-login setup`);
  return tokenStore(source, name, terminalTokenDeps(edge, name)).read();
}
