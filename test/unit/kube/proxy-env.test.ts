// HTTPS_PROXY / NO_PROXY with Go's rules, checked against the cases of Go's own tests
// (golang.org/x/net/http/httpproxy/proxy_test.go: proxyForURLTests, UseProxyTests, TestAllNoProxy,
// TestInvalidNoProxy, TestFromEnvironment*), kept where they apply to https requests.
import { describe, expect, test } from '@jest/globals';
import { type ProxyEnvironment, environmentProxy, proxyEnvironment } from '../../../src/kube/proxy-env.js';

/** Go prints the chosen URL with url.String(), "<nil>" for none; WHATWG adds a trailing slash. */
function proxyFor(config: Partial<ProxyEnvironment>, request: string): string {
  const proxy = environmentProxy({ httpsProxy: '', noProxy: '', ...config }, new URL(request));
  return proxy === undefined ? '<nil>' : proxy.href.replace(/\/$/, '');
}

describe('proxyForURL (Go proxyForURLTests, https requests)', () => {
  test.each([
    ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['cache.corp.example.com:1234', 'http://cache.corp.example.com:1234'],
    ['cache.corp.example.com', 'http://cache.corp.example.com'],
    ['localhost', 'http://localhost'], // a single label parses as a scheme: http:// is assumed
    ['https://cache.corp.example.com', 'https://cache.corp.example.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://127.0.0.1:8080', 'https://127.0.0.1:8080'],
    ['socks5://127.0.0.1', 'socks5://127.0.0.1'],
    ['foo://host', 'foo://host'], // unknown schemes are kept (and refused when connecting)
    ['secure.proxy.tld', 'http://secure.proxy.tld'],
    ['', '<nil>'],
  ])('HTTPS_PROXY=%j chooses %s', (httpsProxy, want) => {
    expect(proxyFor({ httpsProxy }, 'https://secure.tld/')).toBe(want);
  });

  test.each([
    ['example.com', 'https://example.com/', '<nil>'],
    ['.example.com', 'https://example.com/', 'http://proxy'],
    ['ample.com', 'https://example.com/', 'http://proxy'],
    ['example.com', 'https://foo.example.com/', '<nil>'],
    ['.foo.com', 'https://example.com/', 'http://proxy'],
    ['.示例.com', 'https://www.示例.com', '<nil>'],
    ['xn--fsq092h.com', 'https://www.示例.com', '<nil>'],
    ['示例.com', 'https://www.xn--fsq092h.com', '<nil>'],
  ])('NO_PROXY=%j for %s: %s', (noProxy, request, want) => {
    expect(proxyFor({ httpsProxy: 'proxy', noProxy }, request)).toBe(want);
  });
});

describe('useProxy (Go UseProxyTests, port 80)', () => {
  const noProxy =
    'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';
  const cases: Array<[string, boolean]> = [
    ['localhost', false],
    ['127.0.0.1', false],
    ['127.0.0.2', false],
    ['[::1]', false],
    ['[::2]', true],
    ['192.168.1.1', false],
    ['192.168.1.2', true],
    ['192.168.1.3', false],
    ['192.168.1.4', true],
    ['10.0.0.2', false],
    ['[2001:db8::52:0:1]', false],
    ['[2001:db8::52:0:2]', true],
    ['[2001:db8::52:0:3]', false],
    ['[2002:db8:a::123]', false],
    ['[fe80::424b:c8be:1643:a1b6]', true],
    ['barbaz.net', true],
    ['www.barbaz.net', false],
    ['foobar.com', false],
    ['www.foobar.com', false],
    ['foofoobar.com', true],
    ['baz.com', true],
    ['localhost.net', true],
    ['local.localhost', true],
    ['barbarbaz.net', true],
    ['wildcard.io', true],
    ['nested.wildcard.io', false],
    ['awildcard.io', true],
  ];
  const proxied = (host: string, list: string) => proxyFor({ httpsProxy: 'proxy', noProxy: list }, `https://${host}:80/`) !== '<nil>';

  test.each(cases)('%s proxied: %s', (host, want) => {
    expect(proxied(host, noProxy)).toBe(want);
  });

  test.each(cases)('NO_PROXY=* never proxies %s', (host) => {
    expect(proxied(host, '*')).toBe(false);
  });

  test('a malformed entry (":1") is ignored', () => {
    expect(proxied('example.com', ':1')).toBe(true);
  });
});

describe('beyond Go tests: the API server cases', () => {
  test.each([
    ['kcl-api.test:6443', 'kcl-api.test', true, 'a port in the entry must match'],
    ['kcl-api.test:6443', 'kcl-api.test:6443', false, 'host and port match'],
    ['10.96.0.0/12', '10.96.0.1:443', false, 'a service CIDR'],
    ['10.96.0.1', '[::ffff:10.96.0.1]', false, 'an IPv4 entry matches its IPv4-mapped IPv6 form, as net.IP.Equal'],
    ['', '[::ffff:127.0.0.1]', false, 'IPv4-mapped loopback is loopback'],
    ['[::1]', 'example.com', true, 'a bracketed IPv6 entry without a port is a (useless) domain entry, as in Go'],
    ['example.com', '1.2.3.4', true, 'domain entries never match IP hosts'],
  ])('NO_PROXY=%j, server %s: proxied %s (%s)', (noProxy, host, want) => {
    expect(proxyFor({ httpsProxy: 'http://proxy:3128', noProxy }, `https://${host}/`) !== '<nil>').toBe(want);
  });
});

describe('FromEnvironment', () => {
  test('uppercase wins; lowercase when the uppercase one is unset or empty; HTTP_PROXY is not for https', () => {
    expect(proxyEnvironment({ HTTPS_PROXY: 'up', https_proxy: 'low', NO_PROXY: 'UP', no_proxy: 'low' })).toEqual({
      httpsProxy: 'up',
      noProxy: 'UP',
    });
    expect(proxyEnvironment({ HTTPS_PROXY: '', https_proxy: 'low', no_proxy: 'low' })).toEqual({ httpsProxy: 'low', noProxy: 'low' });
    expect(proxyEnvironment({ HTTP_PROXY: 'http.proxy' })).toEqual({ httpsProxy: '', noProxy: '' });
  });
});
