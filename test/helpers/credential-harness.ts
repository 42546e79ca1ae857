// Runs the get-credential use case as the CLI would, with its edges faked: temp dirs for config and
// cache, a fixed clock (set by the test, advanced by sleeps), captured stdout/stderr, and the real API client pointed at a fake server.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { acquireLock } from '../../src/cache/lock.js';
import type { CredentialDeps } from '../../src/credential/deps.js';
import { getCredential } from '../../src/credential/get-credential.js';
import type { CredentialFlags } from '../../src/credential/settings.js';
import { csrApi } from '../../src/kube/csr-api.js';
import { createApiClient } from '../../src/kube/http.js';
import type { ProxyEnvironment } from '../../src/kube/proxy-env.js';
import type { TokenDeps } from '../../src/token/token-store.js';
import { type TestClock, testClock } from './clock.js';

export interface Harness {
  root: string;
  cacheDir: string;
  configDir: string;
  tokenFile: string;
  caFile: string;
  /** The plugin's clock; it starts at testEpoch, the fake API's clock in these tests. */
  clock: TestClock;
  stdout: string[];
  stderr: string[];
  backgroundStarts: number;
  execInfoRaw: string | undefined;
  /** The token store's deps: set askPassphrase to play the person at the terminal. */
  tokens: TokenDeps;
  /** HTTPS_PROXY and NO_PROXY as the CLI edge would read them (none by default). */
  proxyEnv: ProxyEnvironment;
  run: (flags?: Partial<CredentialFlags>, mode?: { background: boolean; renewNow?: boolean; interactive?: boolean }) => Promise<void>;
  cleanup: () => Promise<void>;
}

export async function createHarness(server: { url: string; caPem: string }, token: string): Promise<Harness> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'kcl-test-'));
  const h: Harness = {
    root,
    cacheDir: path.join(root, 'cache'),
    configDir: path.join(root, 'config'),
    tokenFile: path.join(root, 'token'),
    caFile: path.join(root, 'ca.crt'),
    clock: testClock(),
    stdout: [],
    stderr: [],
    backgroundStarts: 0,
    execInfoRaw: undefined,
    tokens: { platform: 'linux', warn: (m) => h.stderr.push(m), sleep: async () => undefined },
    proxyEnv: { httpsProxy: '', noProxy: '' },
    run: async () => undefined,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  await mkdir(h.configDir, { recursive: true });
  await writeFile(h.tokenFile, `${token}\n`, { mode: 0o600 });
  await writeFile(h.caFile, server.caPem);
  h.run = async (overrides = {}, mode = { background: false }) => {
    const deps: CredentialDeps = {
      now: h.clock.now,
      random: () => 0.5,
      sleep: async (ms) => {
        h.clock.advance(ms);
        await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
      },
      cacheDir: h.cacheDir,
      configDir: h.configDir,
      uid: process.getuid?.(),
      execInfoRaw: h.execInfoRaw,
      stderrIsTerminal: false,
      stdout: (text) => h.stdout.push(text),
      log: { verbose: () => undefined, warn: (m) => h.stderr.push(m) },
      openCsrApi: async (connection, t, remainingMs) => csrApi(createApiClient(connection, t, h.proxyEnv), remainingMs),
      tokens: h.tokens,
      lock: acquireLock,
      startBackgroundRenewal: async () => {
        h.backgroundStarts += 1;
      },
    };
    const flags: CredentialFlags = {
      profile: 'test',
      server: server.url,
      certificateAuthority: h.caFile,
      tokenFile: h.tokenFile,
      user: 'jean.doe',
      groups: ['devs'],
      waitTimeoutSeconds: 5,
      ...overrides,
    };
    await getCredential(deps, { flags, args: ['get-credential', '--profile', 'test'], ...mode });
  };
  return h;
}

/** The last ExecCredential printed, parsed. */
export function lastCredential(h: Harness): { apiVersion: string; status: Record<string, string> } {
  const text = h.stdout.at(-1);
  if (!text) throw new Error('nothing printed');
  return JSON.parse(text);
}
