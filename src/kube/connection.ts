// Where the token may go: one server, verified with one CA (and TLS name), maybe through a proxy.
// The one connection type (kube/ owns it: the adapters use it, the use cases fill it).
export interface Connection {
  server: string;
  certificateAuthorityPem?: string;
  /** The file the CA is read from (profile or --certificate-authority). */
  certificateAuthorityFile?: string;
  tlsServerName?: string;
  /** The cluster's proxy-url; without it the client follows HTTPS_PROXY/NO_PROXY (see kube/proxy.ts). */
  proxyUrl?: string;
}
