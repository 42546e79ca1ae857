// Server faults against the real control plane: an API server that is gone, one that accepts and
// never answers, a slow one (through an in-test TCP forwarder, so the shared apiserver keeps
// running): one stderr line, the documented exit code, nothing on stdout, within the timeout.
// A user whose RBAC was removed: server-faults.test.ts.
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { cluster, launcher, run, tempDir } from './cluster.js';
import { type ProvisionedUser, approveContinuously, provisionUser } from './provision.js';
import { pluginArgs } from '../helpers/plugin-args.js';

jest.setTimeout(120_000);

let dir: string;
let user: ProvisionedUser;
let stopApproving: () => Promise<void>;

beforeAll(async () => {
  dir = await tempDir('faults');
  user = await provisionUser(dir, 'faults.user', ['devs'], 'faults-users');
  stopApproving = approveContinuously(user.name);
});
afterAll(async () => stopApproving());

interface Forwarder {
  server: string;
  close: () => Promise<void>;
}

/** 127.0.0.1:<port> in front of the real API server: forwarding (optionally slowed), or silent. */
async function forwarder(mode: { delayMs: number } | 'silent'): Promise<Forwarder> {
  const target = new URL(cluster.server);
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (mode === 'silent') return;
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const relay = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => void setTimeout(() => to.writable && to.write(chunk), mode.delayMs));
    relay(client, upstream);
    relay(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => setTimeout(() => client.destroy(), mode.delayMs));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  return {
    server: `https://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

function args(server: string, extra: string[] = []): string[] {
  return pluginArgs({ server, caFile: cluster.caFile, tokenFile: user.tokenFile, user: user.name, groups: 'devs' }, ...extra);
}

async function timedRun(argv: string[], cacheDir: string) {
  const started = Date.now();
  const result = await run(launcher, argv, { env: { KUBE_CSR_LOGIN_CACHE_DIR: cacheDir, KUBERNETES_EXEC_INFO: '' }, timeoutMs: 60_000 });
  return { ...result, ms: Date.now() - started };
}

function expectOneLineError(result: { code: number; stdout: string; stderr: string }, code: number, pattern: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('API server faults', () => {
  test('stopped (connection refused): exit 12 at once', async () => {
    const gone = await forwarder('silent');
    await gone.close();
    const result = await timedRun(args(gone.server, ['--timeout', '5s']), path.join(dir, 'cache-refused'));
    expectOneLineError(result, 12, /cannot reach/);
    expect(result.ms).toBeLessThan(5_000);
  });

  test('accepting but never answering: exit 16 within the timeout', async () => {
    const silent = await forwarder('silent');
    try {
      const result = await timedRun(args(silent.server, ['--timeout', '4s']), path.join(dir, 'cache-silent'));
      expectOneLineError(result, 16, /no answer|timed out/);
      expect(result.ms).toBeLessThan(4_000 + 2_500);
    } finally {
      await silent.close();
    }
  });

  test('slow (every chunk delayed 200 ms): the renewal still succeeds', async () => {
    const slow = await forwarder({ delayMs: 200 });
    try {
      const result = await timedRun(args(slow.server), path.join(dir, 'cache-slow'));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
    } finally {
      await slow.close();
    }
  });
});
