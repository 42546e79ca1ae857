// Runs the get-credential use case as the CLI would, with the deps the CLI builds (credentialDeps) over
// a faked Edge: temp dirs for config and cache, a fixed clock (set by the test, advanced by sleeps),
// captured stdout/stderr, and the real API client pointed at a fake server.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { credentialDeps } from '../../src/cli/commands/get-credential.js';
import type { CredentialDeps } from '../../src/credential/deps.js';
import { getCredential } from '../../src/credential/get-credential.js';
import type { CredentialFlags } from '../../src/credential/settings.js';
import type { ProxyEnvironment } from '../../src/kube/proxy-env.js';
import type { TokenDeps } from '../../src/token/token-store.js';
import { type TestClock, testClock } from './clock.js';
import { captureEdge } from './edge.js';
import { type FakeApi, type FakeApiOptions, startFakeApi } from './fake-api.js';

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
    const edge = captureEdge(
      { HTTPS_PROXY: h.proxyEnv.httpsProxy, NO_PROXY: h.proxyEnv.noProxy, KUBERNETES_EXEC_INFO: h.execInfoRaw },
      h.clock,
    );
    edge.stderr = (text) => h.stderr.push(text.replace(/\n$/, ''));
    const stdout = (text: string) => h.stdout.push(text);
    // production's deps; only the detached process is counted instead of spawned, and the token
    // deps are the test's (it plays the person at the terminal)
    const deps: CredentialDeps = {
      ...credentialDeps(edge, { cacheDir: h.cacheDir, configDir: h.configDir }, 'test', ['--profile', 'test'], stdout),
      tokens: h.tokens,
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

export interface FakeApiHarness {
  api: FakeApi;
  h: Harness;
  /** Closes the fake API and removes the harness's files. */
  close: () => Promise<void>;
}

/** A fake API (its clock at testEpoch unless options say otherwise) and a harness pointed at it. */
export async function startFakeApiHarness(token: string, options: Omit<FakeApiOptions, 'token'> = {}): Promise<FakeApiHarness> {
  const api = await startFakeApi({ token, ...options });
  const h = await createHarness(api, token);
  return {
    api,
    h,
    close: async () => {
      await api.close();
      await h.cleanup();
    },
  };
}
