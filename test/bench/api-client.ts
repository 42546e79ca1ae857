// A tiny HTTPS client for the benchmark's bulk work (burst CSR creation, watches): admin client
// certificate from the admin kubeconfig, or a ServiceAccount token read from its file. Credentials
// stay in memory; nothing secret goes into any process's argv.
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { parse } from 'yaml';

interface Response {
  status: number;
  body: unknown;
}

export interface BenchApi {
  /** accept: another representation than JSON objects, e.g. a server-side Table. */
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, accept?: string): Promise<Response>;
  /** Streams watch events (one JSON object per line) until stop() or the server ends it. */
  watch(path: string, onEvent: (type: string, object: unknown) => void): { stop(): void; ended: Promise<void> };
}

type Tls = Pick<https.RequestOptions, 'ca' | 'cert' | 'key'> & { headers: Record<string, string> };

function client(server: string, tls: Tls, maxSockets: number): BenchApi {
  const base = new URL(server);
  const agent = new https.Agent({ keepAlive: true, maxSockets });
  const options = (method: string, path: string, extra: Record<string, string | number>, pooled: boolean): https.RequestOptions => ({
    method,
    host: base.hostname,
    port: base.port,
    path,
    agent: pooled ? agent : false,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    headers: { accept: 'application/json', 'user-agent': 'kube-csr-login-bench', ...tls.headers, ...extra },
  });
  return {
    request(method, path, body, accept) {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const extra: Record<string, string | number> =
        text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
      if (accept) extra.accept = accept;
      return new Promise((resolve, reject) => {
        const req = https.request(options(method, path, extra, true), (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () => {
            let parsed: unknown = data;
            try {
              parsed = data ? JSON.parse(data) : {};
            } catch {
              // keep the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        });
        req.on('error', reject);
        req.end(text);
      });
    },
    watch(path, onEvent) {
      let buffered = '';
      const req = https.request(options('GET', path, {}, false));
      const ended = new Promise<void>((resolve) => {
        req.on('response', (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffered += chunk;
            let newline;
            while ((newline = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, newline);
              buffered = buffered.slice(newline + 1);
              if (!line.trim()) continue;
              const event = JSON.parse(line) as { type?: unknown; object?: unknown };
              onEvent(String(event.type), event.object);
            }
          });
          res.on('end', resolve);
          res.on('error', () => resolve());
          res.on('close', resolve);
        });
        req.on('error', () => resolve());
      });
      req.end();
      return { stop: () => req.destroy(), ended };
    },
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The admin (client certificate) from up.sh's admin kubeconfig, which embeds its certificates. */
export async function adminApi(kubeconfigFile: string, server: string, caFile: string, maxSockets = 16): Promise<BenchApi> {
  const config: unknown = parse(await readFile(kubeconfigFile, 'utf8'));
  const users = field(config, 'users');
  const user = field(Array.isArray(users) ? users[0] : undefined, 'user');
  const cert = field(user, 'client-certificate-data');
  const key = field(user, 'client-key-data');
  if (typeof cert !== 'string' || typeof key !== 'string') throw new Error(`${kubeconfigFile}: no embedded client certificate`);
  const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  return client(server, { ca: await readFile(caFile, 'utf8'), cert: decode(cert), key: decode(key), headers: {} }, maxSockets);
}

/** A ServiceAccount, authenticated with the token read from its file. */
export async function tokenApi(server: string, caFile: string, tokenFile: string, maxSockets = 16): Promise<BenchApi> {
  const token = (await readFile(tokenFile, 'utf8')).trim();
  return client(server, { ca: await readFile(caFile, 'utf8'), headers: { authorization: `Bearer ${token}` } }, maxSockets);
}
