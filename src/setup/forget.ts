// `logout --forget`: undoes setup for a profile. Removes the kubeconfig user and context setup wrote
// (and the cluster entry when setup added it and no other context uses it), then the stored token,
// CA and profile. The kubeconfig goes first: an exec user whose profile is gone would only fail.
import { removeSetupEntries } from '../kubeconfig/setup-entries.js';
import { readProfile } from '../profile/profile.js';
import { removeIfExists } from '../util/files.js';
import { setupFiles } from './save-profile.js';

export interface Forgotten {
  profile: string;
  /** The kubeconfig context removed, if setup had written one. */
  context?: string;
}

export async function forgetProfile(configDir: string, name: string): Promise<Forgotten | undefined> {
  const profile = await readProfile(configDir, name);
  const entries = profile?.kubeconfig;
  if (entries !== undefined) {
    await removeSetupEntries(entries.files, entries.user, entries.context, entries.clusterAdded ? entries.cluster : undefined);
  }
  const files = setupFiles(configDir, name);
  const removed = await Promise.all([files.token, files.certificateAuthority, files.profile].map(removeIfExists));
  if (!removed.some(Boolean)) return undefined;
  return { profile: name, ...(entries === undefined ? {} : { context: entries.context }) };
}
