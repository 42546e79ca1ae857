// One watch request as an async stream of raw events, for any resource (the approver's informers,
// the plugin's wait on its CSR). Ends when the server closes the watch or the signal aborts; "410
// Gone" (an ERROR event, or the HTTP status when the watch is refused) becomes an EXPIRED event
// (list again).
import type { IncomingMessage } from 'node:http';
import { KclError, isKclError } from '../errors.js';
import type { ApiClient } from './http.js';
import { inputBounds, tooLarge } from '../util/bounded-read.js';
import { type Json, isRecord } from '../util/validate.js';

export type RawWatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: Json; resourceVersion: string }
  | { type: 'BOOKMARK'; resourceVersion: string }
  | { type: 'EXPIRED' };

export async function* watchStream(
  client: ApiClient,
  path: string,
  timeoutSeconds: number,
  signal?: AbortSignal,
): AsyncIterable<RawWatchEvent> {
  const query = new URLSearchParams({
    watch: 'true',
    allowWatchBookmarks: 'true',
    timeoutSeconds: String(Math.max(1, Math.ceil(timeoutSeconds))),
  });
  const separator = path.includes('?') ? '&' : '?';
  if (signal?.aborted) return;
  let response: IncomingMessage;
  try {
    response = await client.stream({ method: 'GET', path: `${path}${separator}${query}`, timeoutMs: (timeoutSeconds + 15) * 1000 });
  } catch (error) {
    // http-errors.ts maps 410 (and 409, which a GET never gets) to a conflict
    if (isKclError(error, 'conflict')) {
      yield { type: 'EXPIRED' };
      return;
    }
    throw error;
  }
  const abort = () => response.destroy();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const line of boundedLines(response, inputBounds.apiResponse)) {
      if (line.trim() === '') continue;
      const event = parseEvent(line);
      if (event) yield event;
      if (event?.type === 'EXPIRED') return;
    }
  } catch (error) {
    if (error instanceof KclError) throw error;
    // A dropped connection ends the stream; the caller resumes from the last resourceVersion.
  } finally {
    signal?.removeEventListener('abort', abort);
    response.destroy();
  }
}

/**
 * Newline-delimited events, each refused past maxBytes before it is parsed (readline has no bound).
 * The connection failing (dropped, aborted, timed out) just ends the lines.
 */
async function* boundedLines(input: AsyncIterable<Buffer>, maxBytes: number): AsyncIterable<string> {
  let pending: Buffer[] = [];
  let size = 0;
  const chunks = input[Symbol.asyncIterator]();
  for (;;) {
    const next = await chunks.next().catch(() => undefined);
    if (next === undefined) return; // dropped: a partial last event is not one
    if (next.done) break;
    const chunk = next.value;
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      if (size + end - start > maxBytes) throw tooLarge('a watch event from the API server', maxBytes, 'server');
      pending.push(chunk.subarray(start, end));
      yield Buffer.concat(pending).toString('utf8');
      [pending, size, start] = [[], 0, end + 1];
    }
    size += chunk.length - start;
    if (size > maxBytes) throw tooLarge('a watch event from the API server', maxBytes, 'server');
    pending.push(chunk.subarray(start));
  }
  if (size > 0) yield Buffer.concat(pending).toString('utf8');
}

function parseEvent(line: string): RawWatchEvent | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    throw new KclError('server', 'the API server sent an unreadable watch event');
  }
  if (!isRecord(doc) || typeof doc.type !== 'string' || !isRecord(doc.object)) return undefined;
  const object = doc.object;
  if (doc.type === 'ERROR') {
    if (object.code === 410) return { type: 'EXPIRED' };
    const message = typeof object.message === 'string' ? object.message : 'unknown';
    throw new KclError('server', `the watch failed: ${message.slice(0, 200)}`);
  }
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const resourceVersion = typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '';
  if (doc.type === 'BOOKMARK') return { type: 'BOOKMARK', resourceVersion };
  if (doc.type !== 'ADDED' && doc.type !== 'MODIFIED' && doc.type !== 'DELETED') return undefined;
  return { type: doc.type, object, resourceVersion };
}
