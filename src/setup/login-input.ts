// What setup starts from: a login bundle (a kubeconfig from `admin add-user --bundle`, holding the
// cluster, its CA and a token user) or the separate flags. The token never comes from argv.
import { parse } from 'yaml';
import { KclError, describe } from '../errors.js';
import { checkCertificateAuthority } from '../pki/certificate-authority.js';
import { checkToken } from '../token/token-file.js';
import { checkProxyUrl } from '../kube/proxy.js';
import { checkServerUrl } from '../kube/server-url.js';
import { type Json, isRecord, optionalString, string } from '../util/validate.js';

export interface LoginInput {
  server: string;
  certificateAuthorityPem: string;
  token: string;
  /** The cluster's tls-server-name and proxy-url, kept in the profile and the kubeconfig cluster. */
  tlsServerName?: string;
  proxyUrl?: string;
  /** The bundle's cluster name, a default for the kubeconfig cluster entry. */
  clusterName?: string;
}

export function parseLoginBundle(text: string, file: string): LoginInput {
  try {
    return readBundle(text);
  } catch (error) {
    if (error instanceof KclError) throw error;
    throw new KclError('config', `${file} is not a login bundle: ${describe(error)}`);
  }
}

function readBundle(text: string): LoginInput {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch {
    throw new Error('invalid YAML');
  }
  if (!isRecord(doc)) throw new Error('not a kubeconfig');
  const contextName = optionalString(doc, 'current-context', 'bundle');
  const context = contextName === undefined ? undefined : named(doc, 'contexts', contextName, 'context');
  const cluster = named(doc, 'clusters', context === undefined ? undefined : optionalString(context, 'cluster', 'context'), 'cluster');
  const user = named(doc, 'users', context === undefined ? undefined : optionalString(context, 'user', 'context'), 'user');
  const server = string(cluster.body, 'server', 'cluster');
  checkServerUrl(server, 'the bundle server');
  const caData = string(cluster.body, 'certificate-authority-data', 'cluster');
  const pem = checkCertificateAuthority(Buffer.from(caData, 'base64').toString('utf8'), 'the bundle certificate-authority-data');
  const token = checkToken(string(user.body, 'token', 'user'), 'the bundle user');
  const login: LoginInput = { server, certificateAuthorityPem: pem, token, clusterName: cluster.name };
  const tlsServerName = optionalString(cluster.body, 'tls-server-name', 'cluster');
  if (tlsServerName) login.tlsServerName = tlsServerName;
  const proxyUrl = optionalString(cluster.body, 'proxy-url', 'cluster');
  if (proxyUrl) {
    checkProxyUrl(proxyUrl, 'the bundle proxy-url');
    login.proxyUrl = proxyUrl;
  }
  return login;
}

/** `<kind>[name].<item>`; without a name, the only entry of the list. */
function named(doc: Json, kind: string, name: string | undefined, item: string): { name: string; body: Json } {
  const list = Array.isArray(doc[kind]) ? doc[kind].filter(isRecord) : [];
  const entries = name === undefined ? list : list.filter((entry) => entry.name === name);
  if (entries.length !== 1) throw new Error(name === undefined ? `expected exactly one entry in ${kind}` : `no ${item} "${name}"`);
  const entry = entries[0] as Json;
  const body = entry[item];
  if (!isRecord(body)) throw new Error(`${kind} entry has no ${item}`);
  return { name: typeof entry.name === 'string' && entry.name !== '' ? entry.name : item, body };
}
