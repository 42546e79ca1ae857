// When a token expires, read from its JWT payload (`exp`, seconds since the epoch). Bound tokens
// (TokenRequest, `admin add-user --token-duration`) carry one; legacy Secret tokens do not. The
// signature is not checked: the API server decides validity, this only feeds a warning.
import { isRecord } from '../util/validate.js';

/** The expiry, or undefined for anything that is not a JWT with a sane numeric `exp`. */
export function jwtExpiry(token: string): Date | undefined {
  const parts = token.split('.');
  const payload = parts[1];
  if (parts.length !== 3 || payload === undefined || payload.length > 16_384 || !/^[A-Za-z0-9_-]+$/.test(payload)) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const exp = isRecord(claims) ? claims.exp : undefined;
  // up to year 9999: anything larger is not a date Date can print
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= 0 || exp > 253_402_300_799) return undefined;
  return new Date(exp * 1000);
}

const expiryWarningMs = 7 * 24 * 3600 * 1000;

/** True when the token expires within 7 days (or has expired). */
export function expiresSoon(expiresAt: Date | undefined, now: Date): boolean {
  return expiresAt !== undefined && expiresAt.getTime() - now.getTime() < expiryWarningMs;
}
