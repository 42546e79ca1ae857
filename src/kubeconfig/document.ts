// Comment-preserving edits of one kubeconfig file with the yaml Document API (no typed round trip).
import { Document, isMap, isNode, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { KclError } from '../errors.js';

export type NamedKind = 'clusters' | 'users' | 'contexts';
const itemKey: Record<NamedKind, string> = { clusters: 'cluster', users: 'user', contexts: 'context' };

export function parseKubeconfig(text: string | undefined, file: string): Document {
  if (text === undefined || text.trim() === '') {
    return new Document({
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: [],
      users: [],
      contexts: [],
      'current-context': '',
    });
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new KclError('config', `${file}: invalid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  if (!isMap(doc.contents)) throw new KclError('config', `${file}: not a kubeconfig (top level is not a mapping)`);
  return doc;
}

function seq(doc: Document, kind: NamedKind): YAMLSeq {
  const node: unknown = doc.get(kind, true);
  if (isSeq(node)) return node;
  if (node !== undefined && node !== null && !(typeof node === 'object' && 'value' in node && node.value === null)) {
    throw new KclError('config', `kubeconfig: ${kind} is not a list`);
  }
  const created = doc.createNode([]) as YAMLSeq;
  doc.set(kind, created);
  return created;
}

export function findEntry(doc: Document, kind: NamedKind, name: string): YAMLMap | undefined {
  const node: unknown = doc.get(kind, true);
  if (!isSeq(node)) return undefined;
  for (const item of node.items) {
    if (isMap(item) && item.get('name') === name) return item;
  }
  return undefined;
}

export function entryNames(doc: Document, kind: NamedKind): string[] {
  const node: unknown = doc.get(kind, true);
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) => (isMap(item) && typeof item.get('name') === 'string' ? [String(item.get('name'))] : []));
}

/** Sets each field of `<kind>[name].<item>` (keeping other fields and comments); adds the entry if missing. */
export function upsertEntry(doc: Document, kind: NamedKind, name: string, fields: Record<string, unknown>): void {
  let entry = findEntry(doc, kind, name);
  if (entry === undefined) {
    entry = doc.createNode({ name, [itemKey[kind]]: {} });
    seq(doc, kind).add(entry);
  }
  let body: unknown = entry.get(itemKey[kind], true);
  if (!isMap(body)) {
    body = doc.createNode({});
    entry.set(itemKey[kind], body);
  }
  const map = body as YAMLMap;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) map.delete(key);
    else if (!sameValue(map.get(key, true), value)) map.set(key, doc.createNode(value));
  }
}

function sameValue(node: unknown, value: unknown): boolean {
  if (node === undefined) return false;
  const js: unknown = isNode(node) ? node.toJSON() : node;
  return JSON.stringify(js) === JSON.stringify(value);
}

export function removeEntry(doc: Document, kind: NamedKind, name: string): boolean {
  const node: unknown = doc.get(kind, true);
  if (!isSeq(node)) return false;
  const index = node.items.findIndex((item) => isMap(item) && item.get('name') === name);
  if (index < 0) return false;
  node.items.splice(index, 1);
  return true;
}

export function clusterByServer(doc: Document, server: string): string | undefined {
  const node: unknown = doc.get('clusters', true);
  if (!isSeq(node)) return undefined;
  for (const item of node.items) {
    if (!isMap(item)) continue;
    const cluster: unknown = item.get('cluster', true);
    if (isMap(cluster) && cluster.get('server') === server && typeof item.get('name') === 'string') return String(item.get('name'));
  }
  return undefined;
}
