// Parts 1 and 2: what kubectl pays on a cache hit. The sh launcher's fast path against
// gke-gcloud-auth-plugin with a valid cache; the Node entry against `node -e 0` (same Node), in
// time and in peak RSS; the full Node path (KUBE_CSR_LOGIN_NO_FAST_PATH=1) as an extra figure.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launcher, repoRoot } from '../e2e/cluster.js';
import { results } from './results.js';
import { interleave, median, peakKiB, timed } from './stats.js';

const gkePlugin = process.env.KCL_BENCH_GKE_PLUGIN ?? '/usr/bin/gke-gcloud-auth-plugin';
const nodeEntry = path.join(repoRoot, 'bin/kube-csr-login.cjs');

export async function ok(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const r = await timed(command, args, env);
  if (r.code !== 0) throw new Error(`${path.basename(command)} ${args[0] ?? ''} exited ${r.code}: ${r.stderr.slice(0, 300)}`);
  return r.ms;
}

/** A kubeconfig dir whose gke_gcloud_auth_plugin_cache is valid for its current context. */
async function gkeEnv(): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-bench-gke-'));
  const ctx = { name: 'bench', context: { cluster: 'bench', user: 'bench' } };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'bench', cluster: { server: 'https://127.0.0.1:1' } }],
    users: [{ name: 'bench', user: {} }],
    contexts: [ctx],
    'current-context': 'bench',
  };
  await writeFile(path.join(dir, 'config'), JSON.stringify(config));
  const expiry = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  await writeFile(
    path.join(dir, 'gke_gcloud_auth_plugin_cache'),
    JSON.stringify({ current_context: 'bench', access_token: 'x', token_expiry: expiry }),
  );
  return { ...process.env, KUBECONFIG: path.join(dir, 'config'), CLOUDSDK_CONFIG: dir };
}

export async function cacheHitVsGke(args: string[], hitEnv: NodeJS.ProcessEnv): Promise<void> {
  const env = await gkeEnv();
  const hit = await timed(gkePlugin, [], env);
  if (hit.code !== 0 || !/"token":\s*"x"/.test(hit.stdout))
    throw new Error(`gke-gcloud-auth-plugin did not answer from its cache: ${hit.stderr.slice(0, 200)}`);
  const r = await interleave(
    60,
    () => ok(launcher, args, hitEnv),
    () => ok(gkePlugin, [], env),
  );
  Object.assign(results.raw, { cacheHitMs: r.a, gkePluginMs: r.b });
  results.rows.push({
    figure: 'cacheHitVsGkePlugin',
    ours: r.a,
    reference: r.b,
    unit: 'ms',
    target: { kind: 'lower', value: 1 },
    note: '(sh fast path, 60 runs each)',
  });
}

export async function nodePathVsFloor(args: string[], hitEnv: NodeJS.ProcessEnv): Promise<void> {
  const node = process.execPath;
  const entry = [nodeEntry, ...args];
  const full = { ...hitEnv, KUBE_CSR_LOGIN_NO_FAST_PATH: '1' };
  const floor = () => ok(node, ['-e', '0'], hitEnv);
  const r = await interleave(40, () => ok(node, entry, hitEnv), floor);
  const f = await interleave(20, () => ok(node, entry, full), floor);
  Object.assign(results.raw, { nodePathMs: r.a, nodeFloorMs: r.b, nodeFullPathMs: f.a, nodeFloorMs2: f.b });
  results.rows.push({
    figure: 'nodePathVsNodeFloor',
    ours: r.a,
    reference: r.b,
    unit: 'ms',
    target: { kind: 'lower', value: 1.15 },
    note: '(node bin/kube-csr-login.cjs, cache hit, 40 runs each)',
  });
  results.rows.push({
    figure: 'nodeFullPathVsNodeFloor (extra)',
    ours: f.a,
    reference: f.b,
    unit: 'ms',
    target: null,
    note: '(KUBE_CSR_LOGIN_NO_FAST_PATH=1, 20 runs each)',
  });
  const peaks: number[] = [];
  const floors: number[] = [];
  const fulls: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    peaks.push(await peakKiB(node, entry, hitEnv));
    floors.push(await peakKiB(node, ['-e', '0'], hitEnv));
    fulls.push(await peakKiB(node, entry, full));
  }
  Object.assign(results.raw, { nodePathPeakKiB: median(peaks), nodeFloorPeakKiB: median(floors), nodeFullPathPeakKiB: median(fulls) });
  results.rows.push({
    figure: 'nodePathPeakVsNodeFloor',
    ours: median(peaks),
    reference: median(floors),
    unit: 'KiB',
    target: { kind: 'lower', value: 1.1 },
    note: '(/usr/bin/time %M, 10 runs each)',
  });
  results.rows.push({
    figure: 'nodeFullPathPeakVsNodeFloor (extra)',
    ours: median(fulls),
    reference: median(floors),
    unit: 'KiB',
    target: null,
  });
}
