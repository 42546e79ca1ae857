// The JSON lines test/cluster/gomod/longrun-client prints, validated (times are Unix milliseconds).
export type ClientEvent =
  | { kind: 'request'; t: number; start: number; end: number; ok: true; credentialId: string; user: string }
  | { kind: 'request'; t: number; start: number; end: number; ok: false; error: string }
  | { kind: 'watch-open'; t: number }
  | { kind: 'watch-closed'; t: number }
  | { kind: 'watch-error'; t: number; error: string }
  | { kind: 'watch-event'; t: number }
  | { kind: 'plugin-run'; t: number; exitCode: number }
  | { kind: 'rotation'; t: number }
  | { kind: 'retry'; t: number }
  | { kind: 'issued'; t: number; credentialId: string; notBefore: number; notAfter: number }
  | { kind: 'end'; t: number };

type Doc = Record<string, unknown>;

function num(doc: Doc, key: string): number {
  const value = doc[key];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`longrun-client: "${key}" is not a number in ${JSON.stringify(doc)}`);
  return value;
}

function str(doc: Doc, key: string): string {
  const value = doc[key];
  if (typeof value !== 'string') throw new Error(`longrun-client: "${key}" is not a string in ${JSON.stringify(doc)}`);
  return value;
}

export function parseClientEvent(line: string): ClientEvent {
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`longrun-client: not an object: ${line}`);
  const doc = parsed as Doc;
  const t = num(doc, 't');
  const kind = str(doc, 'kind');
  switch (kind) {
    case 'request':
      return doc.ok === true
        ? {
            kind,
            t,
            start: num(doc, 'start'),
            end: num(doc, 'end'),
            ok: true,
            credentialId: str(doc, 'credentialId'),
            user: str(doc, 'user'),
          }
        : { kind, t, start: num(doc, 'start'), end: num(doc, 'end'), ok: false, error: str(doc, 'error') };
    case 'watch-error':
      return { kind, t, error: str(doc, 'error') };
    case 'plugin-run':
      return { kind, t, exitCode: num(doc, 'exitCode') };
    case 'issued':
      return { kind, t, credentialId: str(doc, 'credentialId'), notBefore: num(doc, 'notBefore'), notAfter: num(doc, 'notAfter') };
    case 'watch-open':
    case 'watch-closed':
    case 'watch-event':
    case 'rotation':
    case 'retry':
    case 'end':
      return { kind, t };
    default:
      throw new Error(`longrun-client: unknown event kind ${kind}`);
  }
}
