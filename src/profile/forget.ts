// `logout --forget`: undoes setup for a profile. Removes the token from the keyring or its encrypted
// file first (if the keyring cannot be reached nothing else goes: the profile names the entry),
// then the kubeconfig user and context setup wrote (and the cluster entry when setup added it and no
// other context uses it), then the token file, CA and profile. The kubeconfig goes before the
// profile: an exec user whose profile is gone would only fail.
import { removeSetupEntries } from '../kubeconfig/setup-entries.js';
import { readProfile } from './profile.js';
import type { TokenStorage } from '../token/token-source.js';
import { type TokenDeps, tokenStore } from '../token/token-store.js';
import { removeIfExists } from '../util/files.js';
import { setupFiles } from './save-profile.js';

export interface Forgotten {
  profile: string;
  /** Where the token was removed from. */
  tokenStorage: TokenStorage;
  /** The kubeconfig context removed, if setup had written one. */
  context?: string;
}

export async function forgetProfile(configDir: string, name: string, tokens: TokenDeps): Promise<Forgotten | undefined> {
  const profile = await readProfile(configDir, name);
  const stored = profile?.tokenStore;
  const removedStored = stored ? await tokenStore(stored, name, tokens).remove() : false;
  const entries = profile?.kubeconfig;
  if (entries !== undefined) {
    const cluster = entries.clusterAdded ? entries.cluster : undefined;
    await removeSetupEntries({ files: entries.files, sleep: tokens.sleep }, entries.user, entries.context, cluster);
  }
  const files = setupFiles(configDir, name);
  const removed = await Promise.all([files.token, files.sealedToken, files.certificateAuthority, files.profile].map(removeIfExists));
  if (!removedStored && !removed.some(Boolean)) return undefined;
  return { profile: name, tokenStorage: stored?.storage ?? 'file', ...(entries === undefined ? {} : { context: entries.context }) };
}
