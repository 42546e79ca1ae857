// Local proxies for tests, on 127.0.0.1: an HTTP CONNECT proxy and a SOCKS5 proxy. Each knows a
// few host names that resolve nowhere else (e.g. kcl-api.test) and maps them to local ports, so a
// request to such a name succeeds only if it really went through the proxy. Both record what they
// were asked and every byte the client sent inside the tunnel, to prove the proxy saw only TLS.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface TestProxy {
  url: string;
  port: number;
  /** host:port asked for, in order. */
  targets: string[];
  /** Proxy-Authorization headers (CONNECT) or "user:password" (SOCKS5) received. */
  credentials: string[];
  /** Everything the clients sent through tunnels, one buffer per tunnel. */
  relayed: Buffer[];
  close: () => Promise<void>;
}

/** name:port -> the 127.0.0.1 port it stands for. */
export type HostMap = Record<string, number>;

export async function startConnectProxy(hosts: HostMap, options: { requireAuth?: string } = {}): Promise<TestProxy> {
  const sockets = new Set<Duplex>();
  const proxy = emptyProxy();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Duplex, head: Buffer) => {
    sockets.add(client);
    const target = req.url ?? '';
    proxy.targets.push(target);
    const auth = req.headers['proxy-authorization'];
    if (auth) proxy.credentials.push(auth);
    if (options.requireAuth !== undefined && auth !== `Basic ${Buffer.from(options.requireAuth).toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const port = hosts[target];
    if (port === undefined) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    relay(proxy, sockets, client, port, head, () => client.write('HTTP/1.1 200 Connection Established\r\n\r\n'));
  });
  return listen(server, proxy, sockets, 'http');
}

export async function startSocksProxy(hosts: HostMap): Promise<TestProxy> {
  const sockets = new Set<Duplex>();
  const proxy = emptyProxy();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    void socksHandshake(client, proxy).then((target) => {
      if (target === undefined) return;
      proxy.targets.push(target.name);
      const port = hosts[target.name];
      const reply = (status: number) => Buffer.from([5, status, 0, 1, 0, 0, 0, 0, 0, 0]);
      if (port === undefined) {
        client.end(reply(4)); // host unreachable
        return;
      }
      relay(proxy, sockets, client, port, target.rest, () => client.write(reply(0)));
    });
  });
  return listen(server, proxy, sockets, 'socks5');
}

function emptyProxy(): TestProxy {
  return { url: '', port: 0, targets: [], credentials: [], relayed: [], close: async () => undefined };
}

function relay(proxy: TestProxy, sockets: Set<Duplex>, client: Duplex, port: number, head: Buffer, ready: () => void): void {
  const seen: Buffer[] = [head];
  const index = proxy.relayed.push(Buffer.alloc(0)) - 1;
  const upstream = net.connect(port, '127.0.0.1', () => {
    ready();
    upstream.write(head);
    client.on('data', (chunk: Buffer) => {
      seen.push(chunk);
      proxy.relayed[index] = Buffer.concat(seen);
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  sockets.add(upstream);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
}

/** RFC 1928/1929, just enough: no auth or user/password, CONNECT to a domain name or IPv4. */
async function socksHandshake(client: net.Socket, proxy: TestProxy): Promise<{ name: string; rest: Buffer } | undefined> {
  const reader = bufferedReader(client);
  const [version, count] = await reader(2);
  const methods = await reader(count ?? 0);
  if (version !== 5) return undefined;
  if (methods.includes(2)) {
    client.write(Buffer.from([5, 2]));
    const [, userLength] = await reader(2);
    const user = await reader(userLength ?? 0);
    const [passwordLength] = await reader(1);
    const password = await reader(passwordLength ?? 0);
    proxy.credentials.push(`${user.toString()}:${password.toString()}`);
    client.write(Buffer.from([1, 0]));
  } else {
    client.write(Buffer.from([5, 0]));
  }
  const [, command, , type] = await reader(4);
  let host: string;
  if (type === 3) {
    const [length] = await reader(1);
    host = (await reader(length ?? 0)).toString();
  } else if (type === 1) {
    host = [...(await reader(4))].join('.');
  } else {
    return undefined;
  }
  const port = (await reader(2)).readUInt16BE(0);
  if (command !== 1) return undefined;
  return { name: `${host}:${port}`, rest: reader.rest() };
}

type Reader = ((n: number) => Promise<Buffer>) & { rest: () => Buffer };

function bufferedReader(socket: net.Socket): Reader {
  let buffer = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    waiting?.();
  };
  socket.on('data', onData);
  const read = async (n: number) => {
    while (buffer.length < n) await new Promise<void>((resolve) => (waiting = resolve));
    const out = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return out;
  };
  return Object.assign(read, {
    rest: () => {
      socket.off('data', onData);
      const out = buffer;
      buffer = Buffer.alloc(0);
      return out;
    },
  });
}

async function listen(server: net.Server, proxy: TestProxy, sockets: Set<Duplex>, scheme: string): Promise<TestProxy> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `${scheme}://127.0.0.1:${proxy.port}`;
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

/** TLS records start with a handshake (22) and version 3.x: the first byte a TLS client sends. */
export function startsWithTlsHandshake(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0x16 && bytes[1] === 0x03;
}
