// Temp config and cache dirs for the status tests, with real certificates issued by a test CA and
// cache entries written by the cache's own writer.
import { kubectlWithoutKuberc } from '../../helpers/kubectl-environment.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeBackoff } from '../../../src/cache/backoff.js';
import { writeCredentialEntry } from '../../../src/cache/credential-entry.js';
import { profileCacheFiles } from '../../../src/cache/layout.js';
import { buildCsrPem, generatePrivateKeyPem } from '../../../src/pki/csr.js';
import type { StatusDeps } from '../../../src/status/collect-status.js';
import { type TestCa, createCa, signCsr } from '../../helpers/pki.js';

export const minute = 60_000;
export const t0 = new Date('2030-01-01T10:00:00Z');

export interface Fixture {
  root: string;
  configDir: string;
  cacheDir: string;
  deps: (now: Date) => StatusDeps;
  writeProfile: (name: string, doc: Record<string, unknown>) => Promise<void>;
  writeEntry: (name: string, options?: EntryOptions) => Promise<void>;
  writeRaw: (name: string, file: 'credential.json' | 'backoff.json' | 'pending.json', text: string) => Promise<void>;
  writeBackoff: (name: string, until: Date, message: string) => Promise<void>;
  cleanup: () => Promise<void>;
}

interface EntryOptions {
  user?: string;
  groups?: string[];
  /** Certificate lifetime from t0, and the renewal point, in minutes. */
  lifetimeMinutes?: number;
  renewAtMinutes?: number;
  /** Store a key other than the certificate's. */
  otherKey?: boolean;
}

let ca: TestCa | undefined;

export async function createFixture(): Promise<Fixture> {
  ca ??= await createCa();
  const authority = ca;
  const root = await mkdtemp(path.join(os.tmpdir(), 'kcl-status-'));
  const configDir = path.join(root, 'config');
  const cacheDir = path.join(root, 'cache');
  const cacheFile = async (name: string, file: string) => {
    await mkdir(path.join(cacheDir, name), { recursive: true });
    return path.join(cacheDir, name, file);
  };
  return {
    root,
    configDir,
    cacheDir,
    deps: (now) => ({
      now: () => now,
      cacheDir,
      configDir,
      kubectl: kubectlWithoutKuberc(root),
    }),
    writeProfile: async (name, doc) => {
      await mkdir(path.join(configDir, 'profiles'), { recursive: true });
      await writeFile(path.join(configDir, 'profiles', `${name}.json`), JSON.stringify({ version: 1, ...doc }));
    },
    writeEntry: async (name, options = {}) => {
      const user = options.user ?? 'jean.doe';
      const groups = options.groups ?? ['devs', 'ops'];
      const privateKeyPem = await generatePrivateKeyPem('ecdsa-p256');
      const csrPem = await buildCsrPem(privateKeyPem, 'ecdsa-p256', user, groups);
      const notAfter = new Date(t0.getTime() + (options.lifetimeMinutes ?? 60) * minute);
      const certificateChainPem = await signCsr(authority, csrPem, { notBefore: t0, notAfter });
      await cacheFile(name, 'credential.json');
      await writeCredentialEntry(profileCacheFiles(cacheDir, name).credential, {
        identity: 'digest-of-the-identity',
        certificateChainPem,
        privateKeyPem: options.otherKey ? await generatePrivateKeyPem('ecdsa-p256') : privateKeyPem,
        renewAt: new Date(t0.getTime() + (options.renewAtMinutes ?? 42) * minute),
      });
    },
    writeRaw: async (name, file, text) => {
      await writeFile(await cacheFile(name, file), text);
    },
    writeBackoff: async (name, until, message) => {
      await cacheFile(name, 'backoff.json');
      await writeBackoff(profileCacheFiles(cacheDir, name).backoff, { identity: 'digest-of-the-identity', until, code: 'denied', message });
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export const jean = {
  server: 'https://127.0.0.1:6443',
  user: 'jean.doe',
  groups: ['ops', 'devs'],
  tokenFile: '/nonexistent/jean.token',
  kubeconfig: {
    files: ['/nonexistent/kubeconfig'],
    cluster: 'local',
    user: 'jean.doe@local',
    context: 'jean.doe@local',
    clusterAdded: true,
  },
};
