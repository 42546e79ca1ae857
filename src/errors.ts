// The one error type of the project. Every failure a user can see is a KclError with a code;
// src/cli/main.ts maps it to one stderr line and an exit code. Messages never carry token, key or
// certificate material: callers pass names and reasons, never the secret itself.

export const exitCodes = {
  usage: 2,
  config: 3,
  unauthorized: 10,
  forbidden: 11,
  unreachable: 12,
  tls: 13,
  denied: 14,
  failed: 15,
  timeout: 16,
  /** Wrong passphrase for the encrypted token (repeated failures back off). */
  wrongPassphrase: 17,
  server: 18,
  conflict: 19,
  notFound: 20,
  lock: 21,
  /** The token needs its passphrase and none was given (no terminal to ask, or the user skipped). */
  passphraseRequired: 22,
  internal: 70,
} as const;

export type ErrorCode = keyof typeof exitCodes;

export class KclError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KclError';
    this.code = code;
  }

  get exitCode(): number {
    return exitCodes[this.code];
  }
}

export function isKclError(value: unknown, code?: ErrorCode): value is KclError {
  return value instanceof KclError && (code === undefined || value.code === code);
}

/** A one-line description of any thrown value, for wrapping causes into our own messages. */
export function describe(error: unknown): string {
  // not instanceof Error: errors from another realm (node:vm, jest) are not instances of this one's
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    return error.message.split('\n')[0] ?? '';
  }
  return String(error).split('\n')[0] ?? 'unknown error';
}
