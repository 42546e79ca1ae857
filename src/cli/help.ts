// --help texts. Keep in step with README.md.
import { admin } from './help-admin.js';

const main = `kube-csr-login: short-lived Kubernetes client certificates from the CSR API

Usage: kube-csr-login <command> [flags]

User commands:
  setup            one time: log in with the admin's bundle and write the kubeconfig entries
  status           show each profile's certificate, groups, expiry and renewal time
  get-credential   print an ExecCredential (run by kubectl from users[].user.exec)
  login            obtain a new certificate now (asks the passphrase of an encrypted token)
  logout           delete cached keys and certificates; --forget also undoes setup
  version          print the version

Admin commands:
  approver         run the controller that validates and approves user CSRs
  admin add-user NAME --groups a,b [--bundle FILE]
                   create or update a user (ServiceAccount, RBAC, token) and write its login bundle
  admin remove-user NAME
                   delete a user's ServiceAccount, token and RBAC
  admin list-users [-o json]
                   list users: groups, CSR state, certificate expiry and credential id, token last use
  admin trace AUDIT_LOG|- [--records FILE]
                   which certificate made which requests, issued when to which ServiceAccount

Global flags: -v, --verbose (details and stack traces on stderr), -h, --help
Run kube-csr-login <command> --help for the flags of a command.
`;

const getCredential = `Usage: kube-csr-login get-credential [--profile NAME] [flags]

Prints a client.authentication.k8s.io ExecCredential with a client certificate on stdout.
A fresh cached certificate is served at once; past the renewal point a background process renews it;
a missing or expired certificate is renewed through the CSR API before answering. The cache is used
only while it is yours alone (owned by you, no links, not writable by others); a pending CSR of its
name that someone else made is deleted so the renewal can go on.

The token is sent only to the server and CA of the profile (or of --server and
--certificate-authority), always verified; never to the cluster kubectl is pointed at, whose
certificate request is answered with the recorded cluster's certificate.

Flags (override the profile written by setup):
  --profile NAME               profile (default "default")
  --server URL                 API server (default: the profile's; required without a profile)
  --certificate-authority F    CA bundle file for the API server (same)
  --tls-server-name NAME       name to check in the server certificate (default: the profile's)
  --proxy-url URL              http:// or socks5:// proxy (default: kubectl's proxy-url when kubectl
                               talks to that same server, else the profile's, else HTTPS_PROXY and
                               NO_PROXY with Go's rules)
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

const approver = `Usage: kube-csr-login approver [flags]
       kube-csr-login approver explain (CSR-NAME | -f FILE|-) [-o text|json] [flags]

Watches CertificateSigningRequests for signer kubernetes.io/kube-apiserver-client and approves those
from ServiceAccounts of the users namespace (authenticated by their token: spec.uid and the
ServiceAccount groups set) whose request, read strictly as the Go signer will read it, is exactly
CN=<name> with groups allowed by the ServiceAccount's annotation kube-csr-login.io/groups (read
fresh before each approval); no SANs, extensions or other attributes, CN/O as UTF8String or
PrintableString, client usages, bounded expiration, RSA >= 2048 or ECDSA P-256/P-384, valid
signature, no system: group. Denies the others from those users with a reason; leaves everything
else alone.

explain evaluates the policy against one CSR (from the cluster, or a YAML/JSON file; - for stdin)
and the requester's ServiceAccount as they are now, read-only: every rule with pass/fail and the
value it looked at (subject as the Go signer will see it, SANs, usages, key, requester, allowed
groups) and the decision the approver would take. Takes --kubeconfig, --context,
--users-namespace and --max-expiration as below.

Flags:
  --kubeconfig F            kubeconfig (default: KUBECONFIG, ~/.kube/config, or in-cluster)
  --context NAME            kubeconfig context
  --users-namespace NS      namespace of the users' ServiceAccounts (default users)
  --max-expiration D        longest expirationSeconds approved (default 24h)
  --metrics-addr HOST:PORT  /healthz, /readyz, /metrics (default 127.0.0.1:8080)
  --leader-elect            elect one active replica with a Lease (default true; --no-leader-elect for a single replica)
  --lease-name NAME         Lease name (default kube-csr-login-approver; with --dry-run kube-csr-login-approver-dry-run)
  --lease-namespace NS      Lease namespace (default: POD_NAMESPACE or the in-cluster namespace, else the users namespace)
  --workers N               CSRs judged in parallel (default 16)
  --dry-run                 shadow mode: decide and report (log, Events, metrics decision=would_approve/would_deny)
                            without approving or denying anything, e.g. next to an existing approval process
  --log-format text|json    text lines (control characters escaped) or JSON lines with csr, requester,
                            decision and reason fields on decisions (default text)

When the signer issues a certificate for a CSR it approved, the approver logs one issuance record
(in JSON: record=certificate-issued, credentialId, user, groups, serviceAccount[Namespace|Uid],
notBefore, notAfter, csr, csrUid, issuedAt) and counts it (certificates_issued_total): keep that log
for admin trace --records. A watch resumed after a restart may repeat a record; trace dedupes them.

Requests take the kubeconfig cluster's proxy-url, else HTTPS_PROXY/NO_PROXY (Go's rules).
`;

const setup = `Usage: kube-csr-login setup --bundle FILE [flags]
       kube-csr-login setup --server URL --certificate-authority FILE [--token-file FILE | < token]

One time per cluster. Checks the login token with the API server (SelfSubjectReview) and reads the
groups of its ServiceAccount (annotation kube-csr-login.io/groups); stores the token (see
--token-storage) and the CA in the config dir (0600); writes a cluster (unless one with the same server exists), an exec user
<user>@<cluster> and a context into kubeconfig (kubectl's lock, atomic, 0600, everything else kept;
running it again changes nothing); then obtains the first certificate and shows who the API server
sees. The token is never taken from the command line.

Flags:
  --bundle FILE                the login bundle from kube-csr-login admin add-user --bundle
  --server URL                 API server (without --bundle)
  --certificate-authority F    CA bundle file of the API server (without --bundle)
  --token-file F               file holding the token (default: read from stdin)
  --tls-server-name NAME       name to check in the server certificate (default: the bundle's)
  --proxy-url URL              http:// or socks5:// proxy to the server (default: the bundle's;
                               without one, HTTPS_PROXY/NO_PROXY); kept in the profile and kubeconfig
  --profile NAME               profile to write (default "default"; one per cluster)
  --kubeconfig F               kubeconfig to edit (default: KUBECONFIG's first file, else ~/.kube/config)
  --cluster-name NAME          name of a new cluster entry (default: the bundle's, else the server host)
  --context-name NAME          context name (default <user>@<cluster>)
  --namespace NS               default namespace of the context
  --use-context                make the context current
  --groups a,b                 groups to request (default: all the ServiceAccount allows)
  --timeout D                  how long to wait for the first certificate's approval (default 2m)
  --token-storage S            where the long-term token is kept: file (0600, plain text), keyring
                               (the OS secret store: Secret Service over D-Bus on Linux, Keychain,
                               Credential Manager; fails if none is reachable) or passphrase
                               (encrypted with scrypt + AES-256-GCM; the passphrase is asked at the
                               terminal). Default: where the profile keeps it now, else file.
                               Switching removes the old copy.
  --remove-token-copy          then delete the --bundle or --token-file file, which still holds the
                               token in plain text (only if unchanged since read; an unlink, see
                               docs/security.md); --no-remove-token-copy keeps it. Default: ask at a
                               terminal, else keep it and warn (status warns while it holds the token)
  --expiration D               certificate lifetime to request (default 1h, 8h with passphrase;
                               at most the approver's --max-expiration)
  --refresh-ca                 after a serving-CA rotation (status says so): trust the CA the cluster
                               publishes (ClusterTrustBundle, Kubernetes 1.37+) in the profile and its
                               kubeconfig cluster; only with --profile. It is fetched over a connection
                               the current CA verifies and adopted only if the server's certificate
                               chains to it; otherwise nothing is written
`;

const login = `Usage: kube-csr-login login [--profile NAME] [--timeout D]

Obtains a new certificate now, even if the cached one is fresh, asking for the passphrase when the
profile's token is encrypted (setup --token-storage passphrase). Run it before non-interactive work
(scripts, IDEs, k9s), which cannot be asked. Prints when the new certificate expires.
`;

const status = `Usage: kube-csr-login status [--profile NAME] [--check-ca] [-o json]

Shows each profile (or only NAME): cluster server, kubeconfig context, user and groups, and the
cached certificate: subject, NotBefore, NotAfter, renewal point, time left, state (valid, renewing
soon, expired, or no valid certificate with the reason), any back-off after a failed renewal, and
where the long-term token is kept and when it expires (WARNING within 7 days), a WARNING for each
file setup read (login bundle, token file) that still holds the token in plain text, the
certificate's credential id (X509SHA256=..., as the API server's audit log and auth whoami show it)
and the last comparison of the profile's CA with the serving CA the cluster publishes (a background
renewal repeats it at most daily; WARNING when it changed: run setup --refresh-ca).
Reads local files only (except --check-ca); never prints a token, key or certificate. Exits 0
whatever state the certificates are in; an unknown --profile exits 20.

  --profile NAME     show only this profile
  --check-ca         compare each profile's CA with the published one now (reads the token)
  -o, --output json  one JSON document: {"profiles": [{name, server, context, user, groups,
                     token: {storage, expiresAt, expiresSoon} | null, plainTextCopies: [file],
                     certificate: {subject: {user, groups}, credentialId, notBefore, notAfter,
                     renewAt, state} | null, reason?, backoff?: {code, message, until}, servingCa?:
                     {state (current|changed|broken|unpublished|failed), message, checkedAt},
                     runtimeProblem?, profileError?}]}
`;

const logout = `Usage: kube-csr-login logout [--profile NAME | --all] [--forget]

Deletes the cached keys, certificates and any back-off of a profile (default "default") or of all
profiles; the next kubectl call obtains a fresh certificate. Only profile directories kube-csr-login
made (marked by its CACHEDIR.TAG) are touched, and in them only its own files: a cache dir that is
also an ordinary directory keeps everything else.

  --forget   also remove what setup wrote: the kubeconfig user and context (and the cluster entry if
             setup added it and nothing else uses it), the stored token (file, OS keyring entry
             or encrypted file), CA and profile
`;

const texts: Record<string, string> = { setup, status, admin, 'get-credential': getCredential, login, logout, approver };

export function helpText(command: string | undefined): string {
  return (command && texts[command]) || main;
}
