// API server URLs come from flags, profiles and KUBERNETES_EXEC_INFO: only https URLs are accepted.
export function checkServerUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new Error(`${what} must be an https:// URL`);
  return value;
}
