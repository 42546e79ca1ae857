// `kube-csr-login approver`: the controller that judges user CSRs. The edge of the approver: reads
// flags and the pod's namespace, builds the deps (client, clock, lease store, log), serves
// /healthz, /readyz and /metrics, and stops cleanly on SIGINT/SIGTERM (releasing the lease).
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { KclError, describe } from '../../errors.js';
import { approverApi } from '../../approver/approver-api.js';
import { createController } from '../../approver/controller.js';
import { createElector } from '../../approver/leader-election.js';
import { apiLeaseStore } from '../../approver/lease-store.js';
import { createLog } from '../../approver/log.js';
import { createMetrics } from '../../approver/metrics.js';
import { permissionCheck } from '../../approver/permissions.js';
import { loadKubeconfigClient } from '../../kube/kubeconfig-client.js';
import type { Edge } from '../edge.js';
import { policyConfig, policyOptions } from './approver-flags.js';
import { parseFlags } from '../parse-values.js';

const options = {
  ...policyOptions,
  'metrics-addr': { type: 'string', default: '127.0.0.1:8080' },
  'leader-elect': { type: 'boolean', default: true },
  'lease-name': { type: 'string' },
  'lease-namespace': { type: 'string' },
  workers: { type: 'string', default: '16' },
  'dry-run': { type: 'boolean', default: false },
  'log-format': { type: 'string', default: 'text' },
} as const;

const inClusterNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export async function run(args: string[], edge: Edge): Promise<void> {
  if (args[0] === 'explain') return (await import('./approver-explain.js')).run(args.slice(1), edge);
  const { values } = parseFlags({ args, options, allowNegative: true });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new KclError('usage', '--workers must be 1-64');
  const { usersNamespace, maxExpirationSeconds } = policyConfig(values);
  const logFormat = values['log-format'];
  if (logFormat !== 'text' && logFormat !== 'json') throw new KclError('usage', '--log-format must be text or json');
  const dryRun = values['dry-run'];
  // A shadow replica must not take the lease from the approver it runs next to.
  const leaseName = values['lease-name'] ?? (dryRun ? 'kube-csr-login-approver-dry-run' : 'kube-csr-login-approver');
  const client = await loadKubeconfigClient({
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.context ? { context: values.context } : {}),
    env: edge.env,
    nowMs: () => edge.now().getTime(),
  });
  // POD_NAME (downward API) when set: pods with hostNetwork share the node's hostname and all run as
  // pid 1, so a restarted pod would otherwise take its predecessor's identity (and its Lease, unreleased)
  const identity = `${edge.env.POD_NAME || edge.hostname}_${edge.pid}`;
  const leaseNamespace = values['lease-namespace'] ?? (await ownNamespace(edge)) ?? usersNamespace;
  const metrics = createMetrics();
  const log = createLog(edge.stderr, edge.now, logFormat);
  const elector = values['leader-elect']
    ? createElector(
        { store: apiLeaseStore(client, leaseNamespace, leaseName), now: () => edge.now().getTime() },
        { identity, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      )
    : undefined;
  const controller = createController(
    { api: approverApi(client, identity), elector, metrics, now: edge.now, log, sleep: edge.sleep },
    { usersNamespace, maxExpirationSeconds, workers, dryRun, watchTimeoutSeconds: 300 },
  );
  const permissions = permissionCheck(
    client,
    { usersNamespace, lease: elector ? { namespace: leaseNamespace, name: leaseName } : undefined, dryRun },
    log,
  );
  const server = await serve(values['metrics-addr'], (path) => {
    if (path === '/healthz') return [200, 'ok\n'];
    if (path === '/readyz' && !permissions.granted()) return [503, 'permissions missing (see the log)\n'];
    if (path === '/readyz') return controller.ready() ? [200, 'ok\n'] : [503, 'CSR list not complete\n'];
    if (path === '/metrics') return [200, metrics.render()];
    return [404, 'not found\n'];
  });
  const stopping = new AbortController();
  const stop = (signal: string) => {
    log(`${signal}: stopping`);
    stopping.abort();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const address = server.address();
  const where = typeof address === 'object' && address ? `${address.address}:${address.port}` : values['metrics-addr'];
  log(
    `started as ${identity}: users namespace ${usersNamespace}, ${elector ? `lease ${leaseNamespace}/${leaseName}` : 'no leader election'}, ${workers} workers, metrics on ${where}${dryRun ? ', DRY RUN: decisions are reported, never written' : ''}`,
  );
  // asked again every minute (every 10 s while something is missing), so granting what is missing
  // makes the pod ready without a restart
  const checking = (async () => {
    while (!stopping.signal.aborted) {
      await permissions.check();
      await edge.sleep(permissions.granted() ? 60_000 : 10_000, stopping.signal);
    }
  })();
  try {
    await controller.run(stopping.signal);
  } finally {
    stopping.abort();
    await checking;
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    log('stopped');
  }
}

/** The pod's namespace when running in a cluster (POD_NAMESPACE or the ServiceAccount mount). */
async function ownNamespace(edge: Edge): Promise<string | undefined> {
  if (edge.env.POD_NAMESPACE) return edge.env.POD_NAMESPACE;
  if (!edge.env.KUBERNETES_SERVICE_HOST) return undefined;
  const text = await readFile(inClusterNamespaceFile, 'utf8').catch(() => '');
  return text.trim() || undefined;
}

function serve(address: string, route: (path: string) => [number, string]): Promise<http.Server> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(at + 1));
  if (at < 0 || address.slice(at + 1) === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new KclError('usage', '--metrics-addr must be host:port');
  const server = http.createServer((req, res) => {
    const [status, body] =
      req.method === 'GET' || req.method === 'HEAD' ? route(new URL(req.url ?? '/', 'http://x').pathname) : [405, 'method not allowed\n'];
    res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new KclError('usage', `cannot listen on ${address}: ${describe(error)}`)));
    server.listen(port, host, () => resolve(server));
  });
}
