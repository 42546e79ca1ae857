// The cluster's certificate authority as PEM, read from a file (setup --certificate-authority) or
// handed in a login bundle: it must hold at least one certificate.
import { promises as fs } from 'node:fs';
import { KclError } from '../errors.js';
import { errorCode } from '../util/files.js';

export async function readCertificateAuthority(file: string): Promise<string> {
  let pem: string;
  try {
    pem = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new KclError('config', `cannot read the certificate authority file ${file}: ${errorCode(error) ?? 'unreadable'}`);
  }
  return checkCertificateAuthority(pem, file);
}

export function checkCertificateAuthority(pem: string, source: string): string {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new KclError('config', `${source} holds no PEM certificate`);
  return pem;
}
