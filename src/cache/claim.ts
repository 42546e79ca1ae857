// The Node side of the launcher's renewal claim (bin/kube-csr-login): the first of many concurrent
// calls with no usable credential claims <cache>/<profile>/renew.claim and the others wait for its
// answer in sh. The claimer removes the claim when it is done, whatever the outcome; only its own.
import { promises as fs } from 'node:fs';

export async function releaseClaim(file: string | undefined, pid: number): Promise<void> {
  if (!file || !file.endsWith('/renew.claim')) return;
  const owner = await fs.readFile(file, 'utf8').catch(() => '');
  if (owner.trim() === String(pid)) await fs.rm(file, { force: true });
}
