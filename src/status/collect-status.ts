// `status`: what each profile is set up for and what its cache holds, read from the config and cache
// dirs only (no network, no token read). Profiles are <config>/profiles/*.json plus any profile that
// has cached state but no profile file (set up with flags only, or forgotten but not logged out).
import { type Dirent, promises as fs } from 'node:fs';
import { KclError, describe, type ErrorCode } from '../errors.js';
import { readBackoff } from '../cache/backoff.js';
import { profileCacheFiles } from '../cache/layout.js';
import { type Profile, isProfileName, profileFile, readProfile, storedProfileNames, validateProfileName } from '../profile/profile.js';
import { expiresSoon, jwtExpiry } from '../token/jwt-expiry.js';
import { type TokenStorage, resolveTokenSource } from '../token/token-source.js';
import { isNotFound, readTextIfExists } from '../util/files.js';
import { parseJsonObject } from '../util/validate.js';
import { stillHoldsToken } from '../setup/token-copy.js';
import { type CaCheck, readCaCheck } from '../trustbundle/ca-check.js';
import { type CertificateStatus, type ProfileIdentity, readCachedCertificate } from './cached-certificate.js';
import { recordedRuntimeProblem } from './recorded-runtime.js';

export interface StatusDeps {
  now: () => Date;
  cacheDir: string;
  configDir: string;
}

export interface ProfileStatus {
  name: string;
  /** False when only the cache dir knows this profile. */
  hasProfile: boolean;
  /** Set when the profile file exists but cannot be read. */
  profileError?: string;
  server?: string;
  context?: string;
  user?: string;
  groups: string[];
  /** Where the long-term token is kept, and when it expires (bound tokens carry `exp`). */
  token?: TokenStatus;
  /** Files setup read that still hold the token in plain text (status reads them, never shows them). */
  plainTextCopies: string[];
  certificate?: CertificateStatus;
  /** Why there is no certificate to show. */
  reason?: string;
  backoff?: { code: ErrorCode; message: string; until: Date };
  /** The Node.js its kubeconfig entry records is gone (src/status/recorded-runtime.ts). */
  runtimeProblem?: string;
  /** The last comparison of the profile's CA with the cluster's published serving CA. */
  servingCa?: CaCheck;
}

export interface TokenStatus {
  storage: TokenStorage;
  expiresAt?: Date;
  /** Within 7 days, or already. */
  expiresSoon: boolean;
}

/** One profile (unknown name: KclError notFound) or all of them, sorted by name. */
export async function collectStatus(deps: StatusDeps, input: { profile?: string }): Promise<ProfileStatus[]> {
  if (input.profile !== undefined) {
    const name = validateProfileName(input.profile);
    const known = (await fileExists(profileFile(deps.configDir, name))) || (await hasCachedState(deps.cacheDir, name));
    if (!known) throw new KclError('notFound', `no profile "${name}" (set it up with: kube-csr-login setup --profile ${name})`);
    return [await profileStatus(deps, name)];
  }
  const names = new Set(await storedProfileNames(deps.configDir));
  for (const name of await cachedProfiles(deps.cacheDir)) names.add(name);
  return Promise.all([...names].sort().map((name) => profileStatus(deps, name)));
}

async function profileStatus(deps: StatusDeps, name: string): Promise<ProfileStatus> {
  const now = deps.now();
  const status: ProfileStatus = { name, hasProfile: false, groups: [], plainTextCopies: [] };
  let profile: Profile | undefined;
  try {
    profile = await readProfile(deps.configDir, name);
    status.hasProfile = profile !== undefined;
  } catch (error) {
    status.hasProfile = true;
    status.profileError = describe(error);
  }
  if (profile?.server !== undefined) status.server = profile.server;
  if (profile?.kubeconfig !== undefined) status.context = profile.kubeconfig.context;
  if (profile?.user !== undefined) status.user = profile.user;
  status.groups = [...new Set(profile?.groups ?? [])].sort();
  const token = profile && (await tokenStatus(profile, now));
  if (token) status.token = token;
  const copies = profile?.plainTextCopies ?? [];
  const held = await Promise.all(copies.map(stillHoldsToken));
  status.plainTextCopies = copies.filter((_, index) => held[index]).map((copy) => copy.file);
  const expected: ProfileIdentity | undefined = status.user === undefined ? undefined : { user: status.user, groups: status.groups };
  const files = profileCacheFiles(deps.cacheDir, name);
  const cached = await readCachedCertificate(files.credential, expected, now);
  if (cached.kind === 'certificate') status.certificate = cached.certificate;
  else status.reason = cached.reason;
  const backoff = await currentBackoff(files.backoff, now);
  if (backoff !== undefined) status.backoff = backoff;
  const runtimeProblem = await recordedRuntimeProblem(name, profile?.kubeconfig);
  if (runtimeProblem !== undefined) status.runtimeProblem = runtimeProblem;
  const servingCa = await readCaCheck(files.caCheck);
  if (servingCa !== undefined) status.servingCa = servingCa;
  return status;
}

/**
 * A plain token file is read for its expiry (local, and a token replaced by hand is seen); a keyring
 * or encrypted token is not touched: setup recorded its expiry in the profile.
 */
async function tokenStatus(profile: Profile, now: Date): Promise<TokenStatus | undefined> {
  const source = resolveTokenSource(undefined, profile);
  if (!source) return undefined;
  const expiresAt =
    source.storage === 'file' ? jwtExpiry((await readTextIfExists(source.file).catch(() => undefined))?.trim() ?? '') : source.expiresAt;
  return { storage: source.storage, ...(expiresAt ? { expiresAt } : {}), expiresSoon: expiresSoon(expiresAt, now) };
}

/**
 * The back-off still in force, read with the cache's own reader. Its identity digest covers the token,
 * which status does not read: the record's own identity is used, so a back-off written for a token
 * that has since been replaced still shows until it ends (at most a few minutes).
 */
async function currentBackoff(file: string, now: Date): Promise<ProfileStatus['backoff']> {
  try {
    const text = await readTextIfExists(file);
    if (text === undefined) return undefined;
    const identity = parseJsonObject(text, 'backoff').identity;
    if (typeof identity !== 'string' || identity === '') return undefined;
    const backoff = await readBackoff(file, identity, now);
    return backoff && { code: backoff.code, message: backoff.message, until: backoff.until };
  } catch {
    return undefined; // unreadable or malformed: get-credential ignores it too
  }
}

/** Dirs of the cache that hold a profile's state (the cache dir may hold other things, e.g. tools). */
async function cachedProfiles(cacheDir: string): Promise<string[]> {
  const dirs = (await listDir(cacheDir)).filter((entry) => entry.isDirectory() && isProfileName(entry.name));
  const withState = await Promise.all(dirs.map(async (entry) => ((await hasCachedState(cacheDir, entry.name)) ? entry.name : undefined)));
  return withState.filter((name) => name !== undefined);
}

async function hasCachedState(cacheDir: string, name: string): Promise<boolean> {
  const files = profileCacheFiles(cacheDir, name);
  const present = await Promise.all([files.credential, files.backoff, files.pending, files.fastPath].map(fileExists));
  return present.some(Boolean);
}

async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error)) return [];
    throw new KclError('config', `could not list ${dir}: ${describe(error)}`, { cause: error });
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
