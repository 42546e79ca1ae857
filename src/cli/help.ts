// --help texts. Keep in step with README.md.
const main = `kube-csr-login: short-lived Kubernetes client certificates from the CSR API

Usage: kube-csr-login <command> [flags]

User commands:
  get-credential   print an ExecCredential (run by kubectl from users[].user.exec)
  setup            one-time: store the token and write the exec stanza into kubeconfig
  status           show the cached certificates per profile
  logout           delete cached keys and certificates

Admin commands:
  admin add-user NAME --groups a,b   provision a user (ServiceAccount, RBAC, token)
  admin remove-user NAME             revoke a user's token and RBAC
  admin list-users                   list users, groups and certificate expiry
  approver                           run the CSR approver controller

Global flags: -v, --verbose (details and stack traces on stderr), -h, --help
Run kube-csr-login <command> --help for the flags of a command.
`;

const getCredential = `Usage: kube-csr-login get-credential [--profile NAME] [flags]

Prints a client.authentication.k8s.io ExecCredential with a client certificate on stdout.
A fresh cached certificate is served at once; past the renewal point a background process renews it;
a missing or expired certificate is renewed through the CSR API before answering.

Flags (override the profile written by setup):
  --profile NAME               profile (default "default")
  --server URL                 API server (default: spec.cluster from kubectl, else the profile)
  --certificate-authority F    CA bundle file for the API server
  --token-file F               file holding the ServiceAccount token
  --user NAME                  certificate CN (the user name)
  --groups a,b                 certificate O values (groups)
  --api-version V              answer version when kubectl does not say (client.authentication.k8s.io/v1|v1beta1)
  --key-algorithm A            ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, rsa-4096
  --expiration D               requested certificate lifetime (default 1h, minimum 600s)
  --renew-window P-Q           renew at a random P-Q % of the lifetime (default 70-90)
  --timeout D                  how long to wait for approval (default 5m)
  --csr-name NAME              CSR object name (default user=<user>)
`;

const texts: Record<string, string> = { 'get-credential': getCredential };

export function helpText(command: string | undefined): string {
  return (command && texts[command]) || main;
}
