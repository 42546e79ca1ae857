// certificates.k8s.io/v1 CertificateSigningRequest as read from the API, validated field by field.
import { type Json, isRecord, optionalString, record, string, stringArray } from '../util/validate.js';

export const apiServerClientSigner = 'kubernetes.io/kube-apiserver-client';

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface CsrObject {
  name: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: Date;
  signerName: string;
  requestPem: string;
  usages: string[];
  username?: string;
  groups: string[];
  expirationSeconds?: number;
  conditions: CsrCondition[];
  certificatePem?: string;
}

export interface CsrSpecInput {
  name: string;
  requestPem: string;
  usages: string[];
  expirationSeconds: number;
  signerName?: string;
}

export function csrManifest(input: CsrSpecInput): Json {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: input.name },
    spec: {
      request: Buffer.from(input.requestPem).toString('base64'),
      signerName: input.signerName ?? apiServerClientSigner,
      usages: input.usages,
      expirationSeconds: input.expirationSeconds,
    },
  };
}

export function parseCsrObject(value: unknown): CsrObject {
  if (!isRecord(value)) throw new Error('CSR is not an object');
  const metadata = record(value, 'metadata', 'csr');
  const spec = record(value, 'spec', 'csr');
  const status = isRecord(value.status) ? value.status : {};
  const certificate = optionalString(status, 'certificate', 'status');
  const created = new Date(optionalString(metadata, 'creationTimestamp', 'metadata') ?? 0);
  const csr: CsrObject = {
    name: string(metadata, 'name', 'metadata'),
    uid: string(metadata, 'uid', 'metadata'),
    resourceVersion: string(metadata, 'resourceVersion', 'metadata'),
    creationTimestamp: Number.isNaN(created.getTime()) ? new Date(0) : created,
    signerName: string(spec, 'signerName', 'spec'),
    requestPem: Buffer.from(string(spec, 'request', 'spec'), 'base64').toString('utf8'),
    usages: stringArray(spec, 'usages', 'spec'),
    groups: stringArray(spec, 'groups', 'spec'),
    conditions: parseConditions(status.conditions),
  };
  const username = optionalString(spec, 'username', 'spec');
  if (username !== undefined) csr.username = username;
  if (typeof spec.expirationSeconds === 'number') csr.expirationSeconds = spec.expirationSeconds;
  if (certificate !== undefined) csr.certificatePem = Buffer.from(certificate, 'base64').toString('utf8');
  return csr;
}

function parseConditions(value: unknown): CsrCondition[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((item) => {
    const condition: CsrCondition = {
      type: typeof item.type === 'string' ? item.type : '',
      status: typeof item.status === 'string' ? item.status : '',
    };
    if (typeof item.reason === 'string') condition.reason = item.reason;
    if (typeof item.message === 'string') condition.message = item.message;
    return condition;
  });
}

export function condition(csr: CsrObject, type: 'Approved' | 'Denied' | 'Failed'): CsrCondition | undefined {
  return csr.conditions.find((c) => c.type === type && c.status === 'True');
}

/** Still on its way to a certificate: pending, or approved and waiting for the signer. */
export function isInProgress(csr: CsrObject): boolean {
  return !csr.certificatePem && !condition(csr, 'Denied') && !condition(csr, 'Failed');
}
