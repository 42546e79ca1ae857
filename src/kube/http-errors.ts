// Turns HTTP statuses and socket errors into KclErrors a user can act on. The server's Status
// message is quoted (it names the missing permission on 403); the token never is.
import { KclError, isKclError } from '../errors.js';
import { errorCode } from '../util/files.js';
import { isRecord } from '../util/validate.js';

interface RequestLike {
  method: string;
  path: string;
}

function statusMessage(body: string): string | undefined {
  try {
    const doc: unknown = JSON.parse(body);
    if (isRecord(doc) && typeof doc.message === 'string') return oneLine(doc.message);
  } catch {
    // not a Status object: fall through
  }
  return undefined;
}

export function httpError(status: number, body: string, request: RequestLike): KclError {
  const detail = statusMessage(body) ?? `HTTP ${status}`;
  const what = `${request.method} ${request.path.split('?')[0]}`;
  if (status === 401) {
    return new KclError(
      'unauthorized',
      'the API server rejected the token (401 Unauthorized): it was revoked or expired; ask your admin for a new token',
    );
  }
  if (status === 403) return new KclError('forbidden', `permission denied (403): ${detail}`);
  if (status === 404) return new KclError('notFound', `not found (404): ${detail}`);
  if (status === 409) return new KclError('conflict', `conflict (409) on ${what}: ${detail}`);
  if (status === 410) return new KclError('conflict', `resource version expired (410) on ${what}`);
  if (status === 429 || status >= 500) return new KclError('server', `the API server failed (${status}) on ${what}: ${detail}`);
  return new KclError('server', `unexpected answer ${status} on ${what}: ${detail}`);
}

const tlsCodes = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH|ERR_TLS_CERT)/;

export function networkError(error: unknown, host: string): KclError {
  if (isKclError(error)) return error;
  const code = errorCode(error) ?? '';
  const text = error instanceof Error ? oneLine(error.message) : 'unknown error';
  if (tlsCodes.test(code) || /certificate|TLS|SSL/i.test(text)) {
    return new KclError(
      'tls',
      `TLS handshake with ${host} failed: ${text} (check the cluster's certificate-authority and tls-server-name)`,
    );
  }
  return new KclError('unreachable', `cannot reach the API server at ${host}: ${code || text}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').slice(0, 400);
}
