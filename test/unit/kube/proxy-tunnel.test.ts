// Renewals through proxies, with the real get-credential use case and API client. The API server
// is named kcl-api.test, which resolves nowhere: only the proxy knows where it is, so a renewal that
// succeeds really went through the tunnel. The proxies record what they relay: TLS from the first
// byte, never the token.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { KclError } from '../../../src/errors.js';
import { type Harness, createHarness, lastCredential, startFakeApiHarness } from '../../helpers/credential-harness.js';
import { testEpoch } from '../../helpers/clock.js';
import { type FakeApi, startFakeApi } from '../../helpers/fake-api.js';
import { type TestProxy, startConnectProxy, startSocksProxy, startsWithTlsHandshake } from '../../helpers/proxies.js';

const token = 'proxy-test-token-0123456789';
let api: FakeApi;
let h: Harness;
let close: () => Promise<void>;
const proxies: TestProxy[] = [];

beforeEach(async () => {
  ({ api, h, close } = await startFakeApiHarness(token));
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await close();
  await h.cleanup(); // a test may have replaced the harness
});

const port = () => new URL(api.url).port;
const hidden = () => `https://kcl-api.test:${port()}`;

async function proxy(kind: 'connect' | 'socks', hosts?: Record<string, number>, options?: { requireAuth?: string }): Promise<TestProxy> {
  const map = hosts ?? { [`kcl-api.test:${port()}`]: Number(port()) };
  const started = kind === 'connect' ? await startConnectProxy(map, options) : await startSocksProxy(map);
  proxies.push(started);
  return started;
}

async function failure(run: Promise<void>): Promise<KclError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof KclError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** The proxy relayed only TLS: every tunnel starts with a TLS handshake and never shows the token. */
function expectOnlyTls(p: TestProxy): void {
  expect(p.relayed.length).toBeGreaterThan(0);
  for (const bytes of p.relayed) {
    expect(startsWithTlsHandshake(bytes)).toBe(true);
    expect(bytes.includes(token)).toBe(false);
    expect(bytes.toString('latin1').toLowerCase()).not.toContain('authorization');
  }
}

describe('proxy-url', () => {
  test('http CONNECT: the renewal reaches a server known only to the proxy, which sees only TLS', async () => {
    const p = await proxy('connect');
    await h.run({ server: hidden(), proxyUrl: p.url });
    expect(lastCredential(h).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
    expect(api.created).toBe(1);
    expect(new Set(p.targets)).toEqual(new Set([`kcl-api.test:${port()}`]));
    expectOnlyTls(p);
  });

  test('socks5: the proxy resolves the name; it sees only TLS', async () => {
    const p = await proxy('socks');
    await h.run({ server: hidden(), proxyUrl: p.url });
    expect(api.created).toBe(1);
    expect(new Set(p.targets)).toEqual(new Set([`kcl-api.test:${port()}`]));
    expectOnlyTls(p);
  });

  test('proxy credentials from the URL are sent to the proxy and never appear in errors', async () => {
    const p = await proxy('connect', undefined, { requireAuth: 'proxy-user:proxy-secret' });
    await h.run({ server: hidden(), proxyUrl: `http://proxy-user:proxy-secret@127.0.0.1:${p.port}` });
    expect(p.credentials[0]).toBe(`Basic ${Buffer.from('proxy-user:proxy-secret').toString('base64')}`);
    await h.cleanup();
    h = await createHarness(api, token);
    const refused = await failure(h.run({ server: hidden(), proxyUrl: `http://proxy-user:wrong-secret@127.0.0.1:${p.port}` }));
    expect(refused.message).toContain('407');
    expect(refused.message).not.toContain('secret');
    const s = await proxy('socks');
    await h.run({ server: hidden(), proxyUrl: `socks5://sock-user:sock-secret@127.0.0.1:${s.port}` });
    expect(s.credentials).toContain('sock-user:sock-secret');
  });

  test('the server certificate is checked inside the tunnel: another CA fails, nothing is sent', async () => {
    const impostor = await startFakeApi({ token: 'other', now: () => testEpoch });
    try {
      const p = await proxy('connect', { [`kcl-api.test:${port()}`]: Number(new URL(impostor.url).port) });
      const error = await failure(h.run({ server: hidden(), proxyUrl: p.url }));
      expect(error.code).toBe('tls');
      expect(impostor.requests).toEqual([]);
      expectOnlyTls(p);
    } finally {
      await Promise.all(proxies.splice(0).map((p) => p.close())); // its tunnel keeps the impostor open
      await impostor.close();
    }
  });

  test('the server name is checked inside the tunnel; tls-server-name replaces it', async () => {
    const alias = `kcl-alias.test:${port()}`;
    const p = await proxy('connect', { [alias]: Number(port()) });
    const error = await failure(h.run({ server: `https://${alias}`, proxyUrl: p.url }));
    expect(error.code).toBe('tls');
    expect(api.requests).toEqual([]);
    await h.run({ server: `https://${alias}`, proxyUrl: p.url, tlsServerName: 'kcl-api.test' });
    expect(api.created).toBe(1);
  });

  test.each([
    ['https://127.0.0.1:3128', 'https: is not supported (use http:// or socks5://)'],
    ['socks4://127.0.0.1:1080', 'socks4: is not supported'],
    ['not a url', 'proxy-url is not a URL'],
  ])('proxy-url %s is a configuration error: %s', async (proxyUrl, message) => {
    const error = await failure(h.run({ server: hidden(), proxyUrl }));
    expect(error.code).toBe('config');
    expect(error.message).toContain(message);
  });
});

describe('HTTPS_PROXY and NO_PROXY (Go rules)', () => {
  test('HTTPS_PROXY tunnels the renewal; the proxy sees only TLS', async () => {
    const p = await proxy('connect');
    h.proxyEnv = { httpsProxy: `127.0.0.1:${p.port}`, noProxy: 'example.com,10.0.0.0/8' };
    await h.run({ server: hidden() });
    expect(api.created).toBe(1);
    expect(p.targets.length).toBeGreaterThan(0);
    expectOnlyTls(p);
  });

  test('a NO_PROXY match goes direct (and the hidden name then resolves nowhere)', async () => {
    const p = await proxy('connect');
    h.proxyEnv = { httpsProxy: p.url, noProxy: '.test' };
    const error = await failure(h.run({ server: hidden() }));
    expect(error.code).toBe('unreachable');
    expect(p.targets).toEqual([]);
  });

  test('loopback is never proxied; proxy-url is, whatever the host', async () => {
    const p = await proxy('connect', { [`127.0.0.1:${port()}`]: Number(port()) });
    h.proxyEnv = { httpsProxy: p.url, noProxy: '' };
    await h.run();
    expect(p.targets).toEqual([]);
    await h.cleanup();
    h = await createHarness(api, token);
    await h.run({ proxyUrl: p.url });
    expect(p.targets.length).toBeGreaterThan(0);
    expectOnlyTls(p);
  });
});
