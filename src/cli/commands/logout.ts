// `kube-csr-login logout [--profile P | --all]`: deletes cached keys and certificates (and any
// back-off), so the next kubectl call obtains a fresh certificate.
import { parseArgs } from 'node:util';
import { KclError } from '../../errors.js';
import { clearProfiles } from '../../cache/clear-profile.js';
import { validateProfileName } from '../../profile/profile.js';
import { type Edge, dirs } from '../edge.js';

export async function run(args: string[], edge: Edge): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { profile: { type: 'string' }, all: { type: 'boolean' } }, strict: true }));
  } catch (error) {
    throw new KclError('usage', error instanceof Error ? (error.message.split('\n')[0] ?? '') : 'bad arguments');
  }
  if (values.all && values.profile) throw new KclError('usage', 'use either --profile or --all');
  const { cacheDir } = await dirs(edge);
  const cleared = await clearProfiles(cacheDir, values.all ? 'all' : [validateProfileName(values.profile ?? 'default')]);
  edge.stdout(cleared.length === 0 ? 'nothing cached\n' : `removed cached credentials: ${cleared.join(', ')}\n`);
}
