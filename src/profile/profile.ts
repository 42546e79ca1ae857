// A profile is what `setup` learned once (cluster, token file, identity, preferences), stored as
// <config>/profiles/<name>.json. get-credential reads it on every call; flags may override fields.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KclError, describe } from '../errors.js';
import { isExecApiVersion, type ExecApiVersion } from '../exec/exec-info.js';
import { isKeyAlgorithm, type KeyAlgorithm } from '../pki/key-algorithm.js';
import { type PlainTextCopy, type StoredToken, parsePlainTextCopy, parseStoredToken } from '../token/token-source.js';
import { isNotFound, readTextIfExists } from '../util/files.js';
import {
  type Json,
  isRecord,
  optionalBoolean,
  optionalNumber,
  optionalRecord,
  optionalString,
  parseJsonObject,
  string,
  stringArray,
} from '../util/validate.js';

export interface Profile {
  server?: string;
  certificateAuthorityFile?: string;
  tlsServerName?: string;
  /** The cluster's proxy-url from the login bundle (or setup --proxy-url). */
  proxyUrl?: string;
  tokenFile?: string;
  /** Instead of tokenFile: the token in the OS keyring or encrypted with a passphrase. */
  tokenStore?: StoredToken;
  /** Files outside the store that still held the token in plain text when setup last ran. */
  plainTextCopies?: PlainTextCopy[];
  user?: string;
  groups?: string[];
  apiVersion?: ExecApiVersion;
  keyAlgorithm?: KeyAlgorithm;
  expirationSeconds?: number;
  renewWindow?: [number, number];
  waitTimeoutSeconds?: number;
  /** Past the renewal deadline, how far ahead expirationTimestamp points (default 60). */
  recheckSeconds?: number;
  csrName?: string;
  /** What setup wrote into kubeconfig, so `logout --forget` removes exactly that. */
  kubeconfig?: KubeconfigEntries;
}

interface KubeconfigEntries {
  /** The kubeconfig file list at setup time (--kubeconfig, else KUBECONFIG, else ~/.kube/config). */
  files: string[];
  cluster: string;
  user: string;
  context: string;
  /** False when setup reused a cluster entry that already existed: forgetting keeps it. */
  clusterAdded: boolean;
}

const profileNamePattern = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

export function validateProfileName(name: string): string {
  if (!profileNamePattern.test(name)) {
    throw new KclError('usage', `invalid profile name "${name.slice(0, 64)}": use lowercase letters, digits, '.', '_' and '-'`);
  }
  return name;
}

export function isProfileName(name: string): boolean {
  return profileNamePattern.test(name);
}

/** Names of the profiles stored as <config>/profiles/<name>.json, sorted; others are ignored. */
export async function storedProfileNames(configDir: string): Promise<string[]> {
  const dir = path.join(configDir, 'profiles');
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error)) return [];
    throw new KclError('config', `could not list ${dir}: ${describe(error)}`, { cause: error });
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name.slice(0, -'.json'.length))
    .filter(isProfileName)
    .sort();
}

export function profileFile(configDir: string, name: string): string {
  return path.join(configDir, 'profiles', `${name}.json`);
}

export async function readProfile(configDir: string, name: string): Promise<Profile | undefined> {
  const file = profileFile(configDir, name);
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  try {
    return parseProfile(parseJsonObject(text, 'profile'));
  } catch (error) {
    throw new KclError('config', `could not read profile ${file}: ${describe(error)}`, { cause: error });
  }
}

function parseProfile(doc: Json): Profile {
  if (doc.version !== 1) throw new Error('unknown profile version');
  const profile: Profile = {};
  for (const key of ['server', 'certificateAuthorityFile', 'tlsServerName', 'proxyUrl', 'tokenFile', 'user', 'csrName'] as const) {
    const value = optionalString(doc, key, 'profile');
    if (value !== undefined) profile[key] = value;
  }
  if (optionalBoolean(doc, 'insecureSkipTlsVerify', 'profile') === true) {
    throw new Error(
      'insecureSkipTlsVerify is not supported: the token is only ever sent to a server verified with certificateAuthorityFile',
    );
  }
  if (doc.groups !== undefined) profile.groups = stringArray(doc, 'groups', 'profile');
  const apiVersion = optionalString(doc, 'apiVersion', 'profile');
  if (apiVersion !== undefined) {
    if (!isExecApiVersion(apiVersion)) throw new Error('profile.apiVersion is not a client.authentication.k8s.io version');
    profile.apiVersion = apiVersion;
  }
  const keyAlgorithm = optionalString(doc, 'keyAlgorithm', 'profile');
  if (keyAlgorithm !== undefined) {
    if (!isKeyAlgorithm(keyAlgorithm)) throw new Error('profile.keyAlgorithm is unknown');
    profile.keyAlgorithm = keyAlgorithm;
  }
  for (const key of ['expirationSeconds', 'waitTimeoutSeconds', 'recheckSeconds'] as const) {
    const value = optionalNumber(doc, key, 'profile');
    if (value !== undefined) profile[key] = value;
  }
  if (doc.renewWindow !== undefined) {
    const window: unknown[] = Array.isArray(doc.renewWindow) ? doc.renewWindow : [];
    const [low, high, ...rest] = window;
    if (typeof low !== 'number' || typeof high !== 'number' || rest.length > 0) {
      throw new Error('profile.renewWindow must be [min, max] fractions');
    }
    profile.renewWindow = [low, high];
  }
  const tokenStore = optionalRecord(doc, 'tokenStore', 'profile');
  if (tokenStore !== undefined) profile.tokenStore = parseStoredToken(tokenStore);
  if (doc.plainTextCopies !== undefined) {
    if (!Array.isArray(doc.plainTextCopies) || !doc.plainTextCopies.every(isRecord))
      throw new Error('profile.plainTextCopies must be a list');
    profile.plainTextCopies = doc.plainTextCopies.map(parsePlainTextCopy);
  }
  const kubeconfig = optionalRecord(doc, 'kubeconfig', 'profile');
  if (kubeconfig !== undefined) {
    const files = stringArray(kubeconfig, 'files', 'profile.kubeconfig');
    if (files.length === 0) throw new Error('profile.kubeconfig.files is empty');
    profile.kubeconfig = {
      files,
      cluster: string(kubeconfig, 'cluster', 'profile.kubeconfig'),
      user: string(kubeconfig, 'user', 'profile.kubeconfig'),
      context: string(kubeconfig, 'context', 'profile.kubeconfig'),
      clusterAdded: optionalBoolean(kubeconfig, 'clusterAdded', 'profile.kubeconfig') ?? false,
    };
  }
  return profile;
}

export function serializeProfile(profile: Profile): string {
  return `${JSON.stringify({ version: 1, ...profile }, null, 2)}\n`;
}
