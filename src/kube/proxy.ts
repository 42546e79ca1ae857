// proxy-url support (from KUBERNETES_EXEC_INFO or the profile): an HTTP CONNECT tunnel, as client-go
// does for http:// and https:// proxies. SOCKS proxies are refused with a clear error.
import http from 'node:http';
import type { Socket } from 'node:net';
import { KclError } from '../errors.js';

export async function openProxyTunnel(proxyUrl: string, target: URL, timeoutMs: number): Promise<Socket> {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    throw new KclError('config', 'proxy-url is not a URL');
  }
  if (proxy.protocol !== 'http:') {
    throw new KclError('config', `proxy-url scheme ${proxy.protocol} is not supported (use an http:// proxy)`);
  }
  const authority = `${target.hostname}:${target.port || '443'}`;
  const auth = proxy.username ? Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64') : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(auth ? { 'proxy-authorization': `Basic ${auth}` } : {}) },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new KclError('timeout', `the proxy ${proxy.host} did not answer`)));
    req.on('error', (error) =>
      reject(error instanceof KclError ? error : new KclError('unreachable', `cannot reach the proxy ${proxy.host}`)));
    req.on('connect', (response, socket) => {
      if (response.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new KclError('unreachable', `the proxy ${proxy.host} refused the tunnel (${response.statusCode})`));
      }
    });
    req.end();
  });
}
