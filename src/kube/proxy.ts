// Proxies, as client-go reaches an API server: the cluster's proxy-url when set (for every host),
// else HTTPS_PROXY/NO_PROXY with Go's rules. An http:// proxy gets a CONNECT tunnel, a socks5://
// (or socks5h://) proxy a SOCKS5 CONNECT with the host name resolved by the proxy; either way the
// caller runs TLS to the API server inside the tunnel, so the proxy relays only ciphertext. Proxy
// URLs may hold credentials: errors name only the proxy's host.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { KclError } from '../errors.js';
import { type ProxyEnvironment, environmentProxy } from './proxy-env.js';

const supported = ['http:', 'socks5:', 'socks5h:'];

/** The proxy for this server: the explicit proxy-url (always used), else the environment's. */
export function chooseProxy(proxyUrl: string | undefined, env: ProxyEnvironment, server: string): string | undefined {
  if (proxyUrl !== undefined && proxyUrl !== '') return checkProxyUrl(proxyUrl, 'proxy-url').href;
  const fromEnv = environmentProxy(env, new URL(server));
  return fromEnv === undefined ? undefined : checkProxyUrl(fromEnv.href, 'HTTPS_PROXY').href;
}

export function checkProxyUrl(value: string, source: string): URL {
  let proxy: URL;
  try {
    proxy = new URL(value);
  } catch {
    throw new KclError('config', `${source} is not a URL`);
  }
  if (!supported.includes(proxy.protocol)) {
    throw new KclError('config', `${source}: proxy scheme ${proxy.protocol.slice(0, 20)} is not supported (use http:// or socks5://)`);
  }
  if (proxy.hostname === '') throw new KclError('config', `${source} names no proxy host`);
  return proxy;
}

/** A byte stream to host:port through the proxy, ready for TLS. */
export async function openTunnel(proxyUrl: string, host: string, port: number, timeoutMs: number): Promise<Duplex> {
  const proxy = checkProxyUrl(proxyUrl, 'proxy-url');
  return proxy.protocol === 'http:' ? connectTunnel(proxy, host, port, timeoutMs) : socksTunnel(proxy, host, port, timeoutMs);
}

function connectTunnel(proxy: URL, host: string, port: number, timeoutMs: number): Promise<Duplex> {
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const auth = proxy.username
    ? Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')
    : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxy.port || 80,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(auth ? { 'proxy-authorization': `Basic ${auth}` } : {}) },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new KclError('timeout', `the proxy ${proxy.host} did not answer`)));
    req.on('error', (error) =>
      reject(error instanceof KclError ? error : new KclError('unreachable', `cannot reach the proxy ${proxy.host}`)),
    );
    req.on('connect', (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        reject(new KclError('unreachable', `the proxy ${proxy.host} refused the tunnel to ${authority} (${response.statusCode})`));
        return;
      }
      socket.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.end();
  });
}

async function socksTunnel(proxy: URL, host: string, port: number, timeoutMs: number): Promise<Duplex> {
  const { SocksClient } = await import('socks'); // only for SOCKS users: kept out of the bundle
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: {
        host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(proxy.port || 1080),
        type: 5,
        ...(proxy.username ? { userId: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) } : {}),
      },
      command: 'connect',
      destination: { host, port },
      timeout: timeoutMs,
    });
    return socket;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 200) : 'failed';
    throw new KclError('unreachable', `the SOCKS5 proxy ${proxy.host} did not open a connection to ${host}:${port}: ${reason}`);
  }
}
