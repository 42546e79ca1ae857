// The last step of setup: read the credential get-credential printed and present its certificate to
// the API server (SelfSubjectReview), so setup reports who the cluster really sees.
import { X509Certificate } from 'node:crypto';
import { KclError } from '../errors.js';
import type { Connection } from '../kube/connection.js';
import { type ApiClient, createRequestClient, serverTls } from '../kube/http.js';
import type { ProxyEnvironment } from '../kube/proxy-env.js';
import { parseJsonObject, record, string } from '../util/validate.js';
import { whoAmI } from '../kube/who-am-i.js';

export interface LoginCheck {
  /** As the API server sees the certificate. */
  username: string;
  groups: string[];
  notAfter: Date;
}

export interface ClientCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export function readExecCredential(text: string): ClientCertificate {
  try {
    const status = record(parseJsonObject(text, 'ExecCredential'), 'status', 'ExecCredential');
    return { certificatePem: string(status, 'clientCertificateData', 'status'), privateKeyPem: string(status, 'clientKeyData', 'status') };
  } catch (error) {
    throw new KclError('internal', `get-credential printed no usable credential (${error instanceof Error ? error.message : 'invalid'})`);
  }
}

export function certificateClient(connection: Connection, credential: ClientCertificate, proxyEnv: ProxyEnvironment): ApiClient {
  return createRequestClient(connection.server, { proxyUrl: connection.proxyUrl, environment: proxyEnv }, async (options) => {
    Object.assign(options, {
      ...serverTls(connection),
      cert: credential.certificatePem,
      key: credential.privateKeyPem,
    });
  });
}

export async function verifyLogin(client: ApiClient, credential: ClientCertificate): Promise<LoginCheck> {
  const { username, groups } = await whoAmI(client);
  const notAfter = new Date(new X509Certificate(credential.certificatePem).validTo);
  return { username, groups, notAfter };
}
