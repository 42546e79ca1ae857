// The Go oracle (test/cluster/gomod/csr-oracle): built once per test file from the pinned module set,
// it reports what Kubernetes v1.37 (the pinned release) itself does with a CSR request: whether the API server accepts it,
// and the certificate the kube-apiserver-client signer would issue, as the x509 authenticator reads
// it. Without Go the test fails (CI must not silently skip the cross-check).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp-dirs.js';

export interface GoVerdict {
  apiServerAccepts: boolean;
  apiServerErrors: string[];
  signError?: string;
  certificate: null | {
    commonNames: string[];
    organizations: string[];
    otherSubject: Array<{ type: string; value: string }>;
    dnsNames: string[];
    ipAddresses: string[];
    uris: string[];
    emailAddresses: string[];
    extensions: string[];
    user: null | { name: string; uid: string; groups: string[] };
  };
}

const gomod = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/cluster/gomod');

export async function buildGoOracle(): Promise<(requests: string[]) => GoVerdict[]> {
  const binary = path.join(await tempDir('kcl-csr-oracle'), 'csr-oracle');
  try {
    execFileSync('go', ['build', '-trimpath', '-o', binary, './csr-oracle'], {
      cwd: gomod,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 15 * 60_000,
    });
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-5).join(' | ');
    throw new Error(`cannot build the Go CSR oracle (needs Go >= 1.24, as the control plane does): ${detail || String(error)}`);
  }
  return (requests) => {
    if (requests.length === 0) return [];
    const input = requests.map((pem) => Buffer.from(pem).toString('base64')).join('\n') + '\n';
    const out = execFileSync(binary, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const verdicts = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as GoVerdict);
    if (verdicts.length !== requests.length) throw new Error(`the oracle answered ${verdicts.length} of ${requests.length} requests`);
    return verdicts;
  };
}

/** Extensions the kube-apiserver-client signer always writes: key usage, EKU, basic constraints, AKI. */
export const signerExtensions = ['2.5.29.15', '2.5.29.37', '2.5.29.19', '2.5.29.35'];
