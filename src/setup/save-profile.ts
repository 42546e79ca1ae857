// Stores what setup learned in the config dir: the token and the CA next to the profile, all 0600 in
// a 0700 directory, written atomically, and left untouched when unchanged (running setup twice
// rewrites nothing, which also keeps the launcher's fast path valid).
import path from 'node:path';
import { KclError } from '../errors.js';
import { type Profile, profileFile, readProfile, serializeProfile } from '../profile/profile.js';
import { ensurePrivateDir, readTextIfExists, writeFileAtomic } from '../util/files.js';

export interface ProfileFiles {
  profile: string;
  token: string;
  certificateAuthority: string;
}

export function setupFiles(configDir: string, name: string): ProfileFiles {
  const profile = profileFile(configDir, name);
  const base = profile.replace(/\.json$/, '');
  return { profile, token: `${base}.token`, certificateAuthority: `${base}.ca.crt` };
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

export interface SavedSecrets {
  token: string;
  certificateAuthorityPem: string;
}

export async function saveSecrets(files: ProfileFiles, secrets: SavedSecrets): Promise<void> {
  await ensurePrivateDir(path.dirname(files.profile));
  await writeIfChanged(files.token, `${secrets.token}\n`);
  await writeIfChanged(files.certificateAuthority, secrets.certificateAuthorityPem);
}

export async function saveProfile(files: ProfileFiles, profile: Profile): Promise<void> {
  await ensurePrivateDir(path.dirname(files.profile));
  await writeIfChanged(files.profile, serializeProfile(profile));
}

async function writeIfChanged(file: string, content: string): Promise<void> {
  if ((await readTextIfExists(file)) !== content) await writeFileAtomic(file, content);
}
