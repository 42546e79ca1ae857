// An in-memory stand-in for the core, RBAC and admission objects `admin` manages, served through the fake
// HTTPS API's extra routes: server-side apply (PATCH) creates or replaces the applied fields and
// bumps resourceVersion only when something changed, GET/list with a label selector, DELETE (with
// the uid precondition), and TokenRequest. The token controller is simulated: it fills a token
// Secret after `fillAfterGets` reads (never when undefined).
import type { FakeAnswer, FakeRequest } from '../../helpers/fake-api.js';

type Obj = Record<string, any>;

export interface StoreOptions {
  fillAfterGets?: number;
  secretToken?: string;
  requestedToken?: string;
}

export interface ObjectStore {
  objects: Map<string, Obj>;
  applies: FakeRequest[];
  deletes: FakeRequest[];
  tokenRequests: Obj[];
  secretGets: number;
  routes: (request: FakeRequest) => FakeAnswer | undefined;
  put: (path: string, object: Obj) => void;
}

const notFound: FakeAnswer = { status: 404, body: { kind: 'Status', reason: 'NotFound', message: 'not found' } };

export function createObjectStore(options: StoreOptions = {}): ObjectStore {
  let rv = 100;
  const store: ObjectStore = {
    objects: new Map(),
    applies: [],
    deletes: [],
    tokenRequests: [],
    secretGets: 0,
    put: (path, object) => {
      store.objects.set(path, {
        ...object,
        metadata: { uid: `uid-${++rv}`, resourceVersion: String(rv), creationTimestamp: '2026-01-01T00:00:00Z', ...object.metadata },
      });
    },
    routes: (request) => {
      if (!/^\/(api\/v1|apis\/(rbac\.authorization|admissionregistration)\.k8s\.io\/v1)\//.test(request.path)) return undefined;
      const path = decodeURIComponent(request.path);
      if (request.method === 'POST' && path.endsWith('/token')) {
        const body = JSON.parse(request.body);
        store.tokenRequests.push(body);
        if (!store.objects.has(path.slice(0, -'/token'.length))) return notFound;
        const expires = new Date(Date.now() + body.spec.expirationSeconds * 1000).toISOString();
        return {
          status: 201,
          body: { ...body, status: { token: options.requestedToken ?? 'requested.token-1', expirationTimestamp: expires } },
        };
      }
      if (request.method === 'PATCH') {
        store.applies.push(request);
        const applied = JSON.parse(request.body);
        const existing = store.objects.get(path);
        const next = { ...existing, ...applied, metadata: { ...existing?.metadata, ...applied.metadata } };
        if (
          existing &&
          JSON.stringify({ ...existing, metadata: { ...existing.metadata, resourceVersion: '' } }) ===
            JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: '' } })
        ) {
          return { status: 200, body: existing };
        }
        if (!existing) next.metadata = { ...next.metadata, uid: `uid-${++rv}`, creationTimestamp: '2026-01-01T00:00:00Z' };
        next.metadata.resourceVersion = String(++rv);
        store.objects.set(path, next);
        return { status: existing ? 200 : 201, body: next };
      }
      if (request.method === 'DELETE') {
        store.deletes.push(request);
        const existing = store.objects.get(path);
        if (!existing) return notFound;
        const uid = request.body ? JSON.parse(request.body).preconditions?.uid : undefined;
        if (uid !== undefined && uid !== existing.metadata.uid) {
          return {
            status: 409,
            body: {
              kind: 'Status',
              reason: 'Conflict',
              message: `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid}`,
            },
          };
        }
        store.objects.delete(path);
        return { status: 200, body: { kind: 'Status', status: 'Success' } };
      }
      if (request.method === 'GET') {
        const selector = request.query.get('labelSelector');
        if (selector !== null) return { status: 200, body: { kind: 'List', items: list(store, path, selector) } };
        const object = store.objects.get(path);
        if (!object) return notFound;
        if (object.type === 'kubernetes.io/service-account-token') {
          store.secretGets += 1;
          if (options.fillAfterGets !== undefined && store.secretGets > options.fillAfterGets && !object.data) {
            object.data = { token: Buffer.from(options.secretToken ?? 'secret.token-1').toString('base64') };
          }
        }
        return { status: 200, body: object };
      }
      return undefined;
    },
  };
  return store;
}

function list(store: ObjectStore, path: string, selector: string): Obj[] {
  const [key, value] = selector.split('=');
  return [...store.objects.entries()]
    .filter(([p]) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes('/'))
    .map(([, object]) => object)
    .filter((object) => key === undefined || object.metadata?.labels?.[key] === value);
}
