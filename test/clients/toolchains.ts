// Builds each client of the matrix from its registry, outside the clone, once per source and version:
// Maven resolves the Java clients from Maven Central (javac compiles test/clients/java/*), cargo
// builds kube-rs from crates.io (test/clients/kube-rs, Cargo.lock pinned), the Go module proxy
// gives helm (test/cluster/node/build-helm.sh, the build the node tests use too). A missing
// toolchain fails with the package to install; nothing is skipped.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, run } from '../e2e/cluster.js';

export interface Built {
  command: string;
  args: string[];
  /** How long building took (for a reused build: when it was built, reusedFrom). */
  buildMs: number;
  reusedFrom: string | undefined;
}

const sources = path.join(repoRoot, 'test/clients');

function cacheDir(name: string): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kube-csr-login', 'clients', name);
}

async function need(tool: string, versionArg: string, apt: string): Promise<void> {
  const probe = await run(tool, [versionArg]);
  if (probe.code !== 0)
    throw new Error(`the client matrix needs ${tool} on PATH (apt-get install -y ${apt}): ${probe.stderr.trim() || 'not found'}`);
}

async function step(what: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const result = await run(command, args, { cwd, env, timeoutMs: 60 * 60_000 });
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-8).join(' | ');
    throw new Error(`${what} failed (${command} ${args.join(' ')} exited ${result.code}): ${tail}`);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function sourceDigest(from: string, version: string): Promise<string> {
  const hash = createHash('sha256').update(version);
  for (const file of await filesUnder(from)) hash.update(path.relative(from, file)).update(await readFile(file));
  return hash.digest('hex');
}

interface Staged {
  /** The sources changed (or were never built): build now, then call done. */
  fresh: boolean;
  /** What the build that is reused took, and when it ran. */
  record: { buildMs: number; builtAt: string } | undefined;
  done: (buildMs: number) => Promise<void>;
}

/** Copies a client's sources into its cache dir unless they and the version are what was built there. */
async function stage(from: string, to: string, version: string): Promise<Staged> {
  const digest = await sourceDigest(from, version);
  const stamp = path.join(to, 'built.json');
  const done = (buildMs: number) => writeFile(stamp, JSON.stringify({ digest, buildMs, builtAt: new Date().toISOString() }));
  const recorded = existsSync(stamp) ? JSON.parse(await readFile(stamp, 'utf8')) : undefined;
  if (recorded?.digest === digest) return { fresh: false, record: { buildMs: recorded.buildMs, builtAt: recorded.builtAt }, done };
  await mkdir(to, { recursive: true });
  await rm(stamp, { force: true });
  await cp(from, to, { recursive: true });
  return { fresh: true, record: undefined, done };
}

/** What the table says of a build: its time now, or the recorded one of the build reused. */
function timing(staged: Staged, started: number): Pick<Built, 'buildMs' | 'reusedFrom'> {
  if (staged.fresh || !staged.record) return { buildMs: Date.now() - started, reusedFrom: undefined };
  return { buildMs: staged.record.buildMs, reusedFrom: `at ${staged.record.builtAt}` };
}

/** fabric8 kubernetes-client or io.kubernetes:client-java at `version`. */
export async function buildJavaClient(client: 'fabric8' | 'client-java', version: string): Promise<Built> {
  const from = path.join(sources, 'java', client);
  const dir = cacheDir(`${client}-${version}`);
  const started = Date.now();
  const staged = await stage(from, dir, version);
  if (staged.fresh) {
    await Promise.all([need('mvn', '-v', 'maven'), need('javac', '-version', 'openjdk-17-jdk-headless')]);
    await step(
      `resolving ${client} ${version} from Maven`,
      'mvn',
      ['-B', '-q', `-Dclient.version=${version}`, 'dependency:build-classpath', '-Dmdep.outputFile=classpath.txt'],
      dir,
    );
    const classpath = (await readFile(path.join(dir, 'classpath.txt'), 'utf8')).trim();
    await rm(path.join(dir, 'classes'), { recursive: true, force: true });
    await step(`compiling the ${client} client`, 'javac', ['-d', 'classes', '-cp', classpath, 'src/main/java/Whoami.java'], dir);
    await staged.done(Date.now() - started);
  }
  const classpath = (await readFile(path.join(dir, 'classpath.txt'), 'utf8')).trim();
  return {
    command: 'java',
    args: ['-cp', `${path.join(dir, 'classes')}:${classpath}`, 'Whoami'],
    ...timing(staged, started),
  };
}

/** kube-rs (the `kube` crate, rustls) at the version Cargo.toml pins. */
export async function buildKubeRs(version: string): Promise<Built> {
  const from = path.join(sources, 'kube-rs');
  const dir = cacheDir(`kube-rs-${version}`);
  const started = Date.now();
  const staged = await stage(from, dir, version);
  if (staged.fresh) {
    await need('cargo', '--version', 'cargo');
    await step('building the kube-rs client with cargo', 'cargo', ['build', '--release', '--locked', '--quiet'], dir, {
      CARGO_TARGET_DIR: path.join(dir, 'target'),
    });
    await staged.done(Date.now() - started);
  }
  return { command: path.join(dir, 'target/release/whoami-kube-rs'), args: [], ...timing(staged, started) };
}

/** helm from the Go module proxy, shared with the node tests (one build machine-wide). */
export async function buildHelm(): Promise<Built & { version: string }> {
  const script = path.join(repoRoot, 'test/cluster/node/build-helm.sh');
  const result = await run('bash', [script], { timeoutMs: 60 * 60_000 });
  const helm = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.code !== 0 || !helm)
    throw new Error(`building helm failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const version = (await run(helm, ['version', '--template', '{{.Version}}'])).stdout.trim();
  // build-helm.sh reports a build it made; a reused one has no record here
  const built = /built helm in (\d+) s/.exec(result.stderr)?.[1];
  return {
    command: helm,
    args: [],
    version,
    buildMs: built ? Number(built) * 1000 : 0,
    reusedFrom: built ? undefined : 'by an earlier run of build-helm.sh',
  };
}
