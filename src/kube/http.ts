// A minimal JSON client for the Kubernetes API over node:https, authenticated with a bearer token.
// The plugin's renewal path uses this instead of @kubernetes/client-node: it needs five calls, and
// importing client-node costs several hundred milliseconds that a blocking renewal would pay.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { KclError } from '../errors.js';
import { inputBounds, readAllBounded } from '../util/bounded-read.js';
import type { Connection } from './connection.js';
import { httpError, networkError } from './http-errors.js';
import type { ProxyEnvironment } from './proxy-env.js';
import { chooseProxy, openTunnel } from './proxy.js';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** The body's content type (default application/json), e.g. application/apply-patch+yaml for server-side apply (JSON is valid YAML). */
  contentType?: string;
  /** The accepted representation (default application/json), e.g. a server-side Table. */
  accept?: string;
  /** Abort the whole exchange after this long. */
  timeoutMs: number;
}

export interface ApiClient {
  json(request: ApiRequest): Promise<unknown>;
  /** Opens a streaming response (watch); the caller consumes and destroys it. */
  stream(request: ApiRequest): Promise<IncomingMessage>;
}

/** How each request is authenticated and verified: fills TLS options and headers. */
export type PrepareRequest = (options: https.RequestOptions) => Promise<void>;

/** How the server is verified: the cluster's CA and TLS server name; never without verification. */
export function serverTls(connection: Connection): https.RequestOptions {
  return {
    ...(connection.certificateAuthorityPem ? { ca: connection.certificateAuthorityPem } : {}),
    rejectUnauthorized: true,
    ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
  };
}

/** The plugin's client: a bearer token and the cluster's CA, nothing else. */
export function createApiClient(connection: Connection, token: string, proxyEnv: ProxyEnvironment): ApiClient {
  const tls = serverTls(connection);
  return createRequestClient(connection.server, { proxyUrl: connection.proxyUrl, environment: proxyEnv }, async (options) => {
    Object.assign(options, tls);
    options.headers = { ...options.headers, authorization: `Bearer ${token}` };
  });
}

/** The cluster's proxy-url (used for every request when set), else the environment's proxy rules. */
export interface ProxySettings {
  proxyUrl?: string | undefined;
  environment: ProxyEnvironment;
}

/** Every client (plugin, setup, admin) reaches its server with the same proxy rules. */
export function createRequestClient(server: string, proxy: ProxySettings, prepare: PrepareRequest): ApiClient {
  const base = new URL(server);
  const proxyUrl = chooseProxy(proxy.proxyUrl, proxy.environment, server);
  const agent = proxyUrl ? new TunnelAgent(proxyUrl) : new https.Agent({ keepAlive: true });
  const open = (request: ApiRequest) => send(base, agent, prepare, request);
  return {
    async json(request) {
      const response = await open(request);
      const text = await readBody(response, request.timeoutMs);
      if ((response.statusCode ?? 0) >= 300) throw httpError(response.statusCode ?? 0, text, request);
      try {
        const parsed: unknown = text === '' ? {} : JSON.parse(text);
        return parsed;
      } catch {
        throw new KclError('server', `the API server sent an unreadable response to ${request.method} ${request.path}`);
      }
    },
    async stream(request) {
      const response = await open(request);
      if ((response.statusCode ?? 0) >= 300) {
        throw httpError(response.statusCode ?? 0, await readBody(response, request.timeoutMs), request);
      }
      return response;
    },
  };
}

/**
 * Connections through a proxy: the tunnel first, then TLS to the API server inside it, verified
 * with the request's CA and server name exactly as a direct connection is (https.Agent hands
 * createConnection the request's TLS options). Pooled and kept alive like a direct agent.
 */
class TunnelAgent extends https.Agent {
  constructor(private readonly proxyUrl: string) {
    super({ keepAlive: true });
  }

  override createConnection(options: https.RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    const timeoutMs = typeof options.timeout === 'number' ? options.timeout : 30_000;
    const host = (options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    openTunnel(this.proxyUrl, host, Number(options.port ?? 443), timeoutMs).then(
      (socket) => callback?.(null, tls.connect({ ...(options as tls.ConnectionOptions), socket })),
      (error: Error) => callback?.(error, undefined as unknown as Duplex), // no socket with an error
    );
    return undefined;
  }
}

async function send(base: URL, agent: https.Agent, prepare: PrepareRequest, request: ApiRequest): Promise<IncomingMessage> {
  const url = new URL(base.pathname.replace(/\/$/, '') + request.path, base);
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const options: https.RequestOptions = {
    method: request.method,
    headers: {
      accept: request.accept ?? 'application/json',
      'user-agent': 'kube-csr-login',
      ...(body === undefined
        ? {}
        : { 'content-type': request.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) }),
    },
    timeout: request.timeoutMs, // idle: also ends a stream (watch) that goes silent
  };
  await prepare(options);
  // Ours, after prepare: client-node's applyToHTTPSOptions sets its own agent, which would ignore
  // HTTPS_PROXY/NO_PROXY (and tunnel with another library); the TLS options it set stay in force.
  options.agent = agent;
  return new Promise((resolve, reject) => {
    const req = https.request(url, options);
    const noAnswer = () => new KclError('timeout', `no answer from ${base.host} within ${Math.round(request.timeoutMs / 1000)} s`);
    req.on('timeout', () => req.destroy(noAnswer()));
    // An absolute deadline for the answer to begin, not the socket's idle timeout: a server that
    // accepts the connection and never finishes the TLS handshake went twice as long unnoticed.
    const timer = setTimeout(() => req.destroy(noAnswer()), request.timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(networkError(error, base.host));
    });
    req.on('response', (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    req.end(body);
  });
}

async function readBody(response: IncomingMessage, timeoutMs: number): Promise<string> {
  const timer = setTimeout(() => response.destroy(new KclError('timeout', 'the API server stopped sending its answer')), timeoutMs);
  try {
    return await readAllBounded(response, inputBounds.apiResponse, "the API server's response", 'server');
  } catch (error) {
    throw error instanceof KclError ? error : new KclError('unreachable', 'the connection to the API server dropped');
  } finally {
    clearTimeout(timer);
  }
}
