// `kube-csr-login logout [--profile P | --all] [--forget]`: deletes cached keys and certificates (and
// any back-off), so the next kubectl call obtains a fresh certificate. --forget also undoes setup,
// the token's keyring entry or encrypted file included.
import { KclError } from '../../errors.js';
import { clearProfiles } from '../../cache/clear-profile.js';
import { storedProfileNames, validateProfileName } from '../../profile/profile.js';
import { forgetProfile } from '../../profile/forget.js';
import { type Edge, dirs } from '../edge.js';
import { parseFlags } from '../parse-values.js';
import { terminalTokenDeps } from '../token-deps.js';

const tokenPlace = { file: 'file', keyring: 'OS keyring entry', passphrase: 'encrypted file' } as const;

export const options = { profile: { type: 'string' }, all: { type: 'boolean' }, forget: { type: 'boolean' } } as const;

export async function run(args: string[], edge: Edge): Promise<void> {
  const { values } = parseFlags({ args, options });
  if (values.all && values.profile) throw new KclError('usage', 'use either --profile or --all');
  const { cacheDir, configDir } = await dirs(edge);
  const names = values.all ? 'all' : [validateProfileName(values.profile ?? 'default')];
  const cleared = await clearProfiles(cacheDir, names, edge.uid);
  edge.stdout(cleared.length === 0 ? 'nothing cached\n' : `removed cached credentials: ${cleared.join(', ')}\n`);
  if (!values.forget) return;
  for (const name of names === 'all' ? await storedProfileNames(configDir) : names) {
    const forgotten = await forgetProfile(configDir, name, terminalTokenDeps(edge, name));
    if (forgotten === undefined) edge.stdout(`profile "${name}": nothing set up\n`);
    else
      edge.stdout(
        `forgot profile "${name}": token (${tokenPlace[forgotten.tokenStorage]}), CA${forgotten.context ? ` and kubeconfig context ${forgotten.context}` : ''} removed\n`,
      );
  }
}
