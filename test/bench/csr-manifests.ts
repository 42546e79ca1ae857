// CSR objects for the approver bursts: kubelet client CSRs (what kcm's csrapproving approves) and
// user CSRs (what our approver approves). Requests are built with the plugin's own PKCS#10 code.
import { buildCsrPem, generatePrivateKeyPem } from '../../src/pki/csr.js';

const csr = (name: string, request: string, signerName: string, usages: string[], expirationSeconds?: number) => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name, labels: { 'kube-csr-login.io/bench': 'true' } },
  spec: { request: Buffer.from(request).toString('base64'), signerName, usages, ...(expirationSeconds ? { expirationSeconds } : {}) },
});

/** n kubelet client CSRs, CN=system:node:bench-N, O=system:nodes, ECDSA P-256 (one key, n requests). */
export async function kubeletCsrs(n: number): Promise<Map<string, unknown>> {
  const key = await generatePrivateKeyPem('ecdsa-p256');
  const out = new Map<string, unknown>();
  for (let i = 0; i < n; i += 1) {
    const request = await buildCsrPem(key, 'ecdsa-p256', `system:node:bench-${i}`, ['system:nodes']);
    out.set(
      `bench-kubelet-${i}`,
      csr(`bench-kubelet-${i}`, request, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']),
    );
  }
  return out;
}

/** A factory of user CSRs bench-user-N: CN=user, O=groups, ECDSA P-256, 1 h (one request, reused). */
export async function userCsrFactory(user: string, groups: string[]): Promise<(name: string) => unknown> {
  const key = await generatePrivateKeyPem('ecdsa-p256');
  const request = await buildCsrPem(key, 'ecdsa-p256', user, groups);
  return (name) => csr(name, request, 'kubernetes.io/kube-apiserver-client', ['digital signature', 'client auth'], 3600);
}

export function names(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
}
