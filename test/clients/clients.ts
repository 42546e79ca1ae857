// The clients of the matrix, each built from its registry and started on the kubeconfig `setup`
// wrote, with what each was measured to do when its first certificate expires (docs/clients.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, run } from '../e2e/cluster.js';
import { startLineClient } from '../e2e/clients/line-client.js';
import { pythonClientVersion, pythonWithKubernetesClient } from '../e2e/clients/python-venv.js';
import { buildLongRunClient, startLongRunClient } from '../e2e/long-run/client-go.js';
import type { LoggedInUser } from '../e2e/long-run/users.js';
import type { Answer, Behaviour } from './behaviour.js';
import { type Built, buildHelm, buildJavaClient, buildKubeRs } from './toolchains.js';

export interface Probe {
  answer(): Promise<Answer>;
  close(): Promise<void>;
}

export interface MatrixUser extends LoggedInUser {
  /** Namespace where the user may list Secrets (helm list) and watch ConfigMaps (client-go). */
  namespace: string;
}

export interface ClientSpec {
  name: string;
  version: string;
  expected: Behaviour | ((keyAlgorithm: string) => Behaviour);
  start(user: MatrixUser): Probe;
}

const fabric8Versions = ['7.9.0', '8.0.0'];
const clientJavaVersion = '27.0.0';
const kubeRsVersion = '5.0.0';

function lineClient(
  built: Pick<Built, 'command' | 'args'>,
  extra: string[] = [],
  env: (user: MatrixUser) => Record<string, string> = () => ({}),
) {
  return (user: MatrixUser): Probe =>
    startLineClient(built.command, [...built.args, user.kubeconfig, ...extra], { ...user.env, ...env(user) });
}

function packageVersion(module: string): string {
  return JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', module, 'package.json'), 'utf8')).version;
}

/** client-go: the long-running program of test/e2e/long-running.test.ts, a request every 2 s. */
function clientGo(binary: string) {
  return (user: MatrixUser): Probe => {
    const args = ['-kubeconfig', user.kubeconfig, '-namespace', user.namespace, '-interval', '2s', '-max', '30m'];
    const client = startLongRunClient(binary, args, user.env);
    return {
      // The first request that succeeded within 10 s, else the first that failed: client-go fails
      // the one POST in flight when it swaps certificates (README, Long-running clients).
      async answer() {
        const since = Date.now();
        const requests = () => client.events.filter((e) => e.kind === 'request' && e.start >= since);
        const ok = () => requests().find((e) => e.kind === 'request' && e.ok);
        await client.waitFor('a request', () => ok() !== undefined || requests().some((e) => e.t > since + 10_000), 60_000);
        const event = ok() ?? requests()[0];
        if (event?.kind !== 'request') throw new Error('no request event');
        if (event.ok) return { username: event.user, credentialId: event.credentialId };
        return { status: /Unauthorized/.test(event.error) ? 401 : undefined, error: event.error };
      },
      close: async () => void (await client.stop()),
    };
  };
}

/** helm: one process per command, as people run it; `helm list` reads Secrets with the user's rights. */
function helm(command: string) {
  return (user: MatrixUser): Probe => ({
    async answer() {
      const result = await run(command, ['list', '--kubeconfig', user.kubeconfig, '-n', user.namespace, '-o', 'json'], { env: user.env });
      if (result.code === 0) return { username: user.name, credentialId: '' };
      return { status: /Unauthorized/.test(result.stderr) ? 401 : undefined, error: result.stderr.trim() };
    },
    close: async () => undefined,
  });
}

type Timed = <T>(what: string, build: () => Promise<T>) => Promise<T>;

export interface BuildRecord {
  what: string;
  took: string;
}

/** Each family builds its client(s) and returns their rows, in table order. */
const families: Array<{ family: string; build: (timed: Timed) => Promise<ClientSpec[]> }> = [
  {
    family: 'client-go',
    build: async (timed) => {
      const built = await timed('client-go program', async () => ({ binary: await buildLongRunClient() }));
      const goModule = readFileSync(path.join(repoRoot, 'test/cluster/gomod/go.mod'), 'utf8');
      const version = /k8s\.io\/client-go (v\S+)/.exec(goModule)?.[1] ?? 'unknown';
      return [
        {
          name: 'client-go (long-running program)',
          version,
          expected: 'follows-renewal',
          start: clientGo(built.binary),
        },
      ];
    },
  },
  {
    family: 'helm',
    build: async (timed) => {
      const built = await timed('helm', () => buildHelm());
      return [{ name: 'helm', version: built.version, expected: 'new-process-per-command', start: helm(built.command) }];
    },
  },
  {
    family: 'client-node',
    build: async () => {
      const script = path.join(repoRoot, 'build/test/e2e/clients/whoami-client-node.js');
      return ['@kubernetes/client-node', 'client-node-1'].map((module) => ({
        name: '@kubernetes/client-node',
        version: packageVersion(module),
        expected: 'follows-renewal' as const,
        start: lineClient({ command: process.execPath, args: [script, module] }),
      }));
    },
  },
  {
    family: 'python',
    build: async (timed) => {
      const built = await timed(`Python kubernetes ${pythonClientVersion}`, async () => ({ python: await pythonWithKubernetesClient() }));
      const script = path.join(repoRoot, 'test/e2e/clients/whoami.py');
      const start = lineClient({ command: built.python, args: [script] });
      return [{ name: 'Python kubernetes', version: pythonClientVersion, expected: '401-after-notafter', start }];
    },
  },
  {
    family: 'fabric8',
    build: async (timed) => {
      const specs: ClientSpec[] = [];
      let latest: Built | undefined;
      for (const version of fabric8Versions) {
        latest = await timed(`fabric8 ${version}`, () => buildJavaClient('fabric8', version));
        const start = lineClient(latest, ['auto'], (user) => ({ KUBECONFIG: user.kubeconfig }));
        specs.push({
          name: 'fabric8 kubernetes-client (KUBECONFIG, autoConfigure)',
          version,
          expected: '401-after-notafter',
          start,
        });
      }
      specs.push({
        // no key type detection on this path: fabric8 reads any exec plugin's key as RSA
        name: 'fabric8 kubernetes-client (Config.fromKubeconfig(File))',
        version: fabric8Versions.at(-1) ?? '',
        expected: (keyAlgorithm) => (keyAlgorithm.startsWith('rsa') ? '401-after-notafter' : 'fails-at-start'),
        start: lineClient(latest as Built, ['file']),
      });
      return specs;
    },
  },
  {
    family: 'client-java',
    build: async (timed) => {
      const built = await timed(`client-java ${clientJavaVersion}`, () => buildJavaClient('client-java', clientJavaVersion));
      return [
        {
          name: 'client-java (io.kubernetes)',
          version: clientJavaVersion,
          expected: '401-after-notafter',
          start: lineClient(built),
        },
      ];
    },
  },
  {
    family: 'kube-rs',
    build: async (timed) => {
      const built = await timed(`kube-rs ${kubeRsVersion}`, () => buildKubeRs(kubeRsVersion));
      return [
        {
          name: 'kube-rs, one Client',
          version: kubeRsVersion,
          expected: '401-after-notafter',
          start: lineClient(built, ['keep']),
        },
        {
          name: 'kube-rs, Client rebuilt after valid_until()',
          version: kubeRsVersion,
          expected: 'follows-renewal',
          start: lineClient(built, ['rebuild']),
        },
      ];
    },
  },
];

export const clientFamilies = families.map((f) => f.family);

/** Builds the clients of the named families (all by default; cached outside the clone), in table order. */
export async function buildClients(
  log: (line: string) => void,
  only: readonly string[] = clientFamilies,
): Promise<{ specs: ClientSpec[]; builds: BuildRecord[] }> {
  const builds: BuildRecord[] = [];
  const timed: Timed = async (what, build) => {
    const started = Date.now();
    const result = await build();
    const { buildMs, reusedFrom } = result as Partial<Built>;
    const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
    const took =
      buildMs === undefined
        ? `ready in ${seconds(Date.now() - started)} (its own cache)`
        : reusedFrom
          ? `reused (built ${buildMs ? `in ${seconds(buildMs)}, ` : ''}${reusedFrom})`
          : `built in ${seconds(buildMs)}`;
    log(`${what}: ${took}`);
    builds.push({ what, took });
    return result;
  };
  const specs: ClientSpec[] = [];
  for (const { family, build } of families) if (only.includes(family)) specs.push(...(await build(timed)));
  return { specs, builds };
}
