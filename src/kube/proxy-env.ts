// HTTPS_PROXY and NO_PROXY with Go's rules (golang.org/x/net/http/httpproxy, behind net/http's
// ProxyFromEnvironment, which client-go and so kubectl use when a cluster has no proxy-url): the
// uppercase variable wins unless empty; NO_PROXY entries are `*`, IPs and CIDRs, IP:port, domains
// (matching the domain and its subdomains) and .domains (subdomains only), each optionally with a
// port; localhost and loopback addresses are never proxied. Ported, not copied; our requests are
// always https, so HTTP_PROXY (and Go's CGI rule about it) does not apply.
import { BlockList, isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export interface ProxyEnvironment {
  httpsProxy: string;
  noProxy: string;
}

export function proxyEnvironment(env: Readonly<Record<string, string | undefined>>): ProxyEnvironment {
  const first = (...names: string[]) => names.map((name) => env[name] ?? '').find((value) => value !== '') ?? '';
  return { httpsProxy: first('HTTPS_PROXY', 'https_proxy'), noProxy: first('NO_PROXY', 'no_proxy') };
}

/** The proxy the environment chooses for an https URL, or undefined for a direct connection. */
export function environmentProxy(config: ProxyEnvironment, target: URL): URL | undefined {
  const proxy = parseProxy(config.httpsProxy);
  if (proxy === undefined) return undefined;
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  return useProxy(noProxyMatchers(config.noProxy), host, target.port || '443') ? proxy : undefined;
}

/** A full URL, or "host[:port]" meaning http://host[:port]; unparsable values mean no proxy. */
function parseProxy(value: string): URL | undefined {
  if (value === '') return undefined;
  const parsed = tryUrl(value);
  if (parsed !== undefined && parsed.protocol !== '' && parsed.host !== '') return parsed;
  return tryUrl(`http://${value}`) ?? parsed;
}

function tryUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** True when the matcher excludes host:port from proxying; ip is set when host is an address. */
type Matcher = (host: string, port: string, ip: Address | undefined) => boolean;

interface Address {
  address: string;
  family: 'ipv4' | 'ipv6';
}

function useProxy(matchers: { ip: Matcher[]; domain: Matcher[] }, rawHost: string, port: string): boolean {
  if (rawHost === 'localhost') return false;
  const ip = address(rawHost);
  if (ip !== undefined && loopback.check(ip.address, ip.family)) return false;
  const host = rawHost.trim().toLowerCase();
  if (ip !== undefined && matchers.ip.some((m) => m(host, port, ip))) return false;
  return !matchers.domain.some((m) => m(host, port, ip));
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Go's net.ParseIP: an IPv4 or IPv6 address without a zone. */
function address(text: string): Address | undefined {
  const family = text.includes('%') ? 0 : isIP(text);
  return family === 0 ? undefined : { address: text, family: family === 4 ? 'ipv4' : 'ipv6' };
}

function noProxyMatchers(noProxy: string): { ip: Matcher[]; domain: Matcher[] } {
  const ip: Matcher[] = [];
  const domain: Matcher[] = [];
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return { ip: [() => true], domain: [() => true] };
    const cidr = parseCidr(entry);
    if (cidr !== undefined) {
      ip.push((_host, _port, target) => target !== undefined && cidr.check(target.address, target.family));
      continue;
    }
    const split = splitHostPort(entry);
    if (split !== undefined && split.host === '') continue; // ":1": no host, malformed
    const host = split?.host ?? entry;
    const port = split?.port ?? '';
    const entryIp = address(host);
    if (entryIp !== undefined) {
      const list = new BlockList();
      list.addAddress(entryIp.address, entryIp.family);
      ip.push(
        (_host, targetPort, target) =>
          target !== undefined && list.check(target.address, target.family) && (port === '' || port === targetPort),
      );
      continue;
    }
    // foo.com matches foo.com and bar.foo.com; .foo.com and *.foo.com match bar.foo.com only
    const bare = host.startsWith('*.') ? host.slice(1) : host;
    const matchHost = !bare.startsWith('.');
    const suffix = `.${toAscii(matchHost ? bare : bare.slice(1))}`;
    domain.push((targetHost, targetPort, target) => {
      if (target !== undefined) return false;
      const matches = targetHost.endsWith(suffix) || (matchHost && targetHost === suffix.slice(1));
      return matches && (port === '' || port === targetPort);
    });
  }
  return { ip, domain };
}

/** Go's net.ParseCIDR: an IPv4 or IPv6 address, "/", and a prefix length that fits it. */
function parseCidr(entry: string): BlockList | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  const ip = match?.[1] === undefined ? undefined : address(match[1]);
  if (ip === undefined) return undefined;
  const bits = Number(match?.[2]);
  if (bits > (ip.family === 'ipv4' ? 32 : 128)) return undefined;
  const list = new BlockList();
  list.addSubnet(ip.address, bits, ip.family);
  return list;
}

/** Go's net.SplitHostPort: "host:port" or "[host]:port"; undefined when there is no port. */
function splitHostPort(entry: string): { host: string; port: string } | undefined {
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(entry);
  if (bracketed) return { host: bracketed[1] ?? '', port: bracketed[2] ?? '' };
  const colon = entry.lastIndexOf(':');
  if (colon < 0 || entry.indexOf(':') !== colon || entry.includes('[') || entry.includes(']')) return undefined;
  return { host: entry.slice(0, colon), port: entry.slice(colon + 1) };
}

function toAscii(domain: string): string {
  if (/^[\x00-\x7f]*$/.test(domain)) return domain;
  return domainToASCII(domain) || domain;
}
