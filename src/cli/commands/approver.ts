// `kube-csr-login approver`: the controller that judges user CSRs. Builds its deps at the edge and
// serves /healthz, /readyz and /metrics.
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { KclError } from '../../errors.js';
import { approverApi } from '../../approver/approver-api.js';
import { createController } from '../../approver/controller.js';
import { createMetrics } from '../../approver/metrics.js';
import { loadKubeconfigClient } from '../../kube/kubeconfig-client.js';
import type { Edge } from '../edge.js';
import { parseDurationSeconds } from '../parse-values.js';

const options = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'users-namespace': { type: 'string', default: 'users' },
  'max-expiration': { type: 'string', default: '24h' },
  'metrics-addr': { type: 'string', default: '127.0.0.1:8080' },
  'no-leader-elect': { type: 'boolean', default: false },
  'lease-name': { type: 'string', default: 'kube-csr-login-approver' },
  'lease-namespace': { type: 'string' },
  workers: { type: 'string', default: '4' },
} as const;

export async function run(args: string[], edge: Edge): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new KclError('usage', error instanceof Error ? (error.message.split('\n')[0] ?? '') : 'bad arguments');
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new KclError('usage', '--workers must be 1-64');
  const client = await loadKubeconfigClient({ ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.context ? { context: values.context } : {}), env: edge.env });
  const metrics = createMetrics();
  const log = (line: string) => edge.stderr(`${new Date().toISOString()} approver: ${line}\n`);
  const controller = createController(
    {
      client,
      api: approverApi(client),
      config: { usersNamespace: values['users-namespace'], maxExpirationSeconds: parseDurationSeconds('--max-expiration', values['max-expiration']) },
      metrics,
      now: () => new Date(),
      log,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
    {
      workers,
      lease: values['no-leader-elect']
        ? undefined
        : { namespace: values['lease-namespace'] ?? values['users-namespace'], name: values['lease-name'], identity: `${os.hostname()}_${process.pid}`, durationSeconds: 15 },
    },
  );
  const server = await serve(values['metrics-addr'], (path) => {
    if (path === '/healthz') return [200, 'ok\n'];
    if (path === '/readyz') return controller.state.synced || !controller.state.leader ? [200, 'ok\n'] : [503, 'not synced\n'];
    if (path === '/metrics') return [200, metrics.render()];
    return [404, 'not found\n'];
  });
  const stop = () => {
    log('stopping');
    void controller.stop().then(() => server.close());
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log(`started (users namespace ${values['users-namespace']}, ${workers} workers)`);
  await controller.run();
}

function serve(address: string, route: (path: string) => [number, string]): Promise<http.Server> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  const port = Number(address.slice(at + 1));
  if (at < 0 || !Number.isInteger(port)) throw new KclError('usage', '--metrics-addr must be host:port');
  const server = http.createServer((req, res) => {
    const [status, body] = route(new URL(req.url ?? '/', 'http://x').pathname);
    res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', () => reject(new KclError('usage', `cannot listen on ${address}`)));
    server.listen(port, host, () => resolve(server));
  });
}
