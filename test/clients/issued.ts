// Every certificate the plugin cached for a user, by the credential id the API server reports for it
// (X509SHA256=<hex SHA-256 of the DER>), with its NotAfter: the cache file read every second. Any
// certificate a client was handed was in that file (renewals are ~15 s apart).
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface IssuedTracker {
  notAfter(credentialId: string): number | undefined;
  stop(): void;
}

export function trackIssued(credentialFile: string): IssuedTracker {
  const seen = new Map<string, number>();
  const read = async () => {
    try {
      const leaf = new X509Certificate(JSON.parse(await readFile(credentialFile, 'utf8')).certificateChainPem);
      seen.set(`X509SHA256=${leaf.fingerprint256.replaceAll(':', '').toLowerCase()}`, new Date(leaf.validTo).getTime());
    } catch {
      // between an atomic rename and the next read, or not written yet: the next read sees it
    }
  };
  void read();
  const timer = setInterval(() => void read(), 1000);
  return { notAfter: (id) => seen.get(id), stop: () => clearInterval(timer) };
}
