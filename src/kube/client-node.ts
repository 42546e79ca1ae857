// The one part of @kubernetes/client-node we use, imported statically so a bundler keeps only what
// KubeConfig needs: `await import('@kubernetes/client-node')` pulls in every generated API (16 MB
// in the release bundle instead of 1 MB). Loaded lazily by kubeconfig-client.ts.
export { KubeConfig } from '@kubernetes/client-node';
