// Burst-creates CSRs (N in flight) and times until every one carries an Approved condition, seen
// through a watch started before the first create (resumed with a fresh list if it drops).
import type { BenchApi } from './api-client.js';

const csrPath = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

export interface Burst {
  /** Creates CSRs with this client (its identity is the requester). */
  creator: BenchApi;
  /** Lists and watches CSRs (admin). */
  watcher: BenchApi;
  names: string[];
  manifest: (name: string) => unknown;
  concurrency: number;
  timeoutMs: number;
}

export interface BurstResult {
  created: number;
  createErrors: string[];
  approved: number;
  denied: number;
  /** From the first create to the last create answered. */
  createMs: number;
  /** From the first create to the last approval seen (or the timeout). */
  approvedMs: number;
  complete: boolean;
}

type Decision = 'Approved' | 'Denied' | undefined;

function decision(object: unknown): { name: string; decision: Decision } | undefined {
  const o = object as { metadata?: { name?: unknown }; status?: { conditions?: Array<{ type?: unknown }> } } | null;
  if (!o || typeof o.metadata?.name !== 'string') return undefined;
  const types = (o.status?.conditions ?? []).map((c) => c.type);
  return { name: o.metadata.name, decision: types.includes('Approved') ? 'Approved' : types.includes('Denied') ? 'Denied' : undefined };
}

/** Lists every CSR (paged); returns the list's resourceVersion. */
export async function listCsrs(api: BenchApi, each: (object: unknown) => void): Promise<string> {
  let next = '';
  for (;;) {
    const page = await api.request('GET', `${csrPath}?limit=500${next ? `&continue=${encodeURIComponent(next)}` : ''}`);
    if (page.status !== 200) throw new Error(`list CSRs: HTTP ${page.status}`);
    const body = page.body as { items?: unknown[]; metadata?: { resourceVersion?: string; continue?: string } };
    for (const item of body.items ?? []) each(item);
    if (!body.metadata?.continue) return body.metadata?.resourceVersion ?? '';
    next = body.metadata.continue;
  }
}

export async function burst(spec: Burst): Promise<BurstResult> {
  const wanted = new Set(spec.names);
  const decided = new Map<string, Decision>();
  let lastDecision = 0;
  const note = (object: unknown) => {
    const d = decision(object);
    if (d?.decision && wanted.has(d.name) && !decided.has(d.name)) {
      decided.set(d.name, d.decision);
      lastDecision = performance.now();
    }
  };
  let stopped = false;
  let current: { stop(): void } | undefined;
  let rv = await listCsrs(spec.watcher, note);
  const follow = async () => {
    while (!stopped) {
      const w = spec.watcher.watch(`${csrPath}?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, (type, object) => {
        const version = (object as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
        if (type === 'ERROR') return;
        if (version) rv = version;
        note(object);
      });
      current = w;
      await w.ended;
      if (!stopped) rv = await listCsrs(spec.watcher, note); // dropped or expired: catch up, then watch again
    }
  };
  const following = follow();
  const start = performance.now();
  let created = 0;
  const createErrors: string[] = [];
  const queue = [...spec.names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const r = await spec.creator.request('POST', csrPath, spec.manifest(name)).catch((e: Error) => ({ status: 0, body: e.message }));
      if (r.status === 201) created += 1;
      else if (createErrors.length < 5) createErrors.push(`${name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const createMs = performance.now() - start;
  const deadline = start + spec.timeoutMs;
  while (decided.size < created && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  stopped = true;
  current?.stop();
  await following;
  const values = [...decided.values()];
  const complete = decided.size >= spec.names.length;
  return {
    created,
    createErrors,
    approved: values.filter((v) => v === 'Approved').length,
    denied: values.filter((v) => v === 'Denied').length,
    createMs,
    approvedMs: (complete ? lastDecision : performance.now()) - start,
    complete,
  };
}
