// Stores what setup learned in the config dir (profile/ owns every file there): the CA next to the
// profile (the token goes through src/token/, see setup/store-token.ts), all 0600 in a 0700
// directory, written atomically, and left untouched when unchanged (running setup twice rewrites
// nothing, which also keeps the launcher's fast path valid).
import path from 'node:path';
import { KclError } from '../errors.js';
import { type Profile, profileFile, readProfile, serializeProfile } from './profile.js';
import { ensurePrivateDir, readTextIfExists, writeFileAtomic } from '../util/files.js';

export interface ProfileFiles {
  profile: string;
  /** The token in plain text (--token-storage file). */
  token: string;
  /** The token encrypted with a passphrase (--token-storage passphrase). */
  sealedToken: string;
  certificateAuthority: string;
}

export function setupFiles(configDir: string, name: string): ProfileFiles {
  const profile = profileFile(configDir, name);
  const base = profile.replace(/\.json$/, '');
  return { profile, token: `${base}.token`, sealedToken: `${base}.token.enc`, certificateAuthority: `${base}.ca.crt` };
}

/** Refuses to point an existing profile at another cluster: its user would silently lose it. */
export async function checkProfileTarget(configDir: string, name: string, server: string): Promise<Profile | undefined> {
  const existing = await readProfile(configDir, name);
  if (existing?.server !== undefined && existing.server !== server) {
    throw new KclError(
      'conflict',
      `profile "${name}" is set up for ${existing.server}: pass --profile NAME for ${server}, or run kube-csr-login logout --profile ${name} --forget first`,
    );
  }
  return existing;
}

export async function saveCertificateAuthority(files: ProfileFiles, pem: string): Promise<void> {
  await ensurePrivateDir(path.dirname(files.profile));
  await writeIfChanged(files.certificateAuthority, pem);
}

export async function saveProfile(files: ProfileFiles, profile: Profile): Promise<void> {
  await ensurePrivateDir(path.dirname(files.profile));
  await writeIfChanged(files.profile, serializeProfile(profile));
}

async function writeIfChanged(file: string, content: string): Promise<void> {
  if ((await readTextIfExists(file)) !== content) await writeFileAtomic(file, content);
}
