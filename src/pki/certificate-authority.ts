// The cluster's certificate authority as PEM, read from a file (setup --certificate-authority) or
// handed in a login bundle: it must hold at least one certificate.
import { KclError } from '../errors.js';
import { inputBounds, readNamedFile } from '../util/bounded-read.js';

export async function readCertificateAuthority(file: string): Promise<string> {
  const { text: pem } = await readNamedFile(file, inputBounds.certificateAuthority, `the certificate authority file ${file}`);
  return checkCertificateAuthority(pem, file);
}

export function checkCertificateAuthority(pem: string, source: string): string {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new KclError('config', `${source} holds no PEM certificate`);
  return pem;
}
