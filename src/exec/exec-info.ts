// KUBERNETES_EXEC_INFO: the ExecCredential that client-go hands to the plugin. It carries the
// apiVersion we must answer with, whether a person is watching (spec.interactive), and, with
// provideClusterInfo, the cluster kubectl is about to talk to. That cluster is never where the token
// goes (see credential/settings.ts): only its server and proxy-url are read.
import { KclError, describe } from '../errors.js';
import { checkServerUrl } from '../kube/server-url.js';
import { type Json, optionalBoolean, optionalRecord, optionalString, parseJsonObject, string } from '../util/validate.js';

const execApiVersions = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
export type ExecApiVersion = (typeof execApiVersions)[number];

export interface ClusterInfo {
  server: string;
  proxyUrl?: string;
}

export interface ExecInfo {
  apiVersion: ExecApiVersion;
  interactive: boolean;
  cluster?: ClusterInfo;
}

export function isExecApiVersion(value: string): value is ExecApiVersion {
  return (execApiVersions as readonly string[]).includes(value);
}

/** Returns undefined when the variable is absent (older clients, @kubernetes/client-node). */
export function parseExecInfo(raw: string | undefined): ExecInfo | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return readExecInfo(parseJsonObject(raw, 'KUBERNETES_EXEC_INFO'));
  } catch (error) {
    throw new KclError('usage', `malformed KUBERNETES_EXEC_INFO: ${describe(error)}`, { cause: error });
  }
}

function readExecInfo(doc: Json): ExecInfo {
  const apiVersion = string(doc, 'apiVersion', 'KUBERNETES_EXEC_INFO');
  if (!isExecApiVersion(apiVersion)) throw new Error(`unsupported apiVersion "${printable(apiVersion)}"`);
  if (doc.kind !== 'ExecCredential') throw new Error('kind must be ExecCredential');
  const spec = optionalRecord(doc, 'spec', 'KUBERNETES_EXEC_INFO') ?? {};
  const interactive = optionalBoolean(spec, 'interactive', 'spec') ?? false;
  const clusterDoc = optionalRecord(spec, 'cluster', 'spec');
  return clusterDoc ? { apiVersion, interactive, cluster: readCluster(clusterDoc) } : { apiVersion, interactive };
}

function readCluster(doc: Json): ClusterInfo {
  const cluster: ClusterInfo = { server: checkServerUrl(string(doc, 'server', 'spec.cluster'), 'spec.cluster.server') };
  const proxyUrl = optionalString(doc, 'proxy-url', 'spec.cluster');
  if (proxyUrl !== undefined) cluster.proxyUrl = proxyUrl;
  return cluster;
}

/** Quote untrusted text in an error without letting it break the one-line rule. */
function printable(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
}
