// --help of the admin commands (provisioning and tracing). Keep in step with README.md and docs/tracing.md.
export const admin = `Usage: kube-csr-login admin add-user NAME --groups a,b [--bundle FILE] [flags]
       kube-csr-login admin remove-user NAME [flags]
       kube-csr-login admin list-users [-o json] [--records FILE] [flags]
       kube-csr-login admin trace AUDIT_LOG|- [--records FILE] [--credential-id ID] [--user NAME] [flags]

Provisions the users of the plugin with the admin's kubeconfig.

add-user      applies (server-side apply, field manager kube-csr-login; idempotent, rerun to change
              the groups) the user's ServiceAccount (annotation kube-csr-login.io/groups), RBAC to
              create CSRs and get/watch/delete its own (user=NAME) and to get its ServiceAccount, a
              token Secret NAME-token (then waits up to 30 s for the token controller to fill it), and
              the namespace's ValidatingAdmissionPolicy kube-csr-login-csr-names-NS (shared; needs
              Kubernetes >= 1.30): its ServiceAccounts may create only the CSR named user=<their name>
  --groups a,b                 groups the user's certificates may carry (required; '' for none)
  --bundle FILE                write the login bundle (server, CA, token; mode 0600) the user passes
                               to kube-csr-login setup --bundle FILE; without it no token is printed
  --server URL                 server written into the bundle (default: the kubeconfig's)
  --token-duration D           a TokenRequest token of this lifetime (min 10m) in the bundle instead
                               of the long-lived token Secret (needs --bundle); deletes that Secret
                               if an earlier add-user made it, so its token stops working
  --dry-run -o yaml            print the objects instead of applying them
remove-user   deletes the token Secret, the ServiceAccount (revoking its tokens), Role, RoleBinding,
              ClusterRole and ClusterRoleBinding (not the shared admission policy); certificates
              already issued stay valid until they expire. Refuses a ServiceAccount kube-csr-login
              does not manage.
list-users    managed users: groups, CSR state (Pending, Approved, Issued, Denied, Failed), the
              current certificate's NotAfter and credential id (X509SHA256=...), the last renewal and
              the token's last use (label kubernetes.io/legacy-token-last-used, a date, daily)
  --records FILE               the approver's JSON log: fills in users whose CSR is already deleted
  -o table|json                output format (default table)
trace         reads an API server audit log (JSON lines; - for stdin; no cluster access) and reports
              per credential id the user, the certificate's validity, ServiceAccount and CSR (from
              the records) and the requests made with it; bad lines are reported by number, and
              inputs that do not match (another cluster, a re-added user) are named
  --records FILE               the approver's JSON log (--log-format json) with issuance records
  --credential-id ID           only this certificate (as status, whoami and the audit log show it)
  --user NAME                  only this user's certificates
  --requests N                 requests listed per credential id (default 20; all are counted)
  -o text|json                 output format (default text)

Requests take the kubeconfig cluster's proxy-url, else HTTPS_PROXY/NO_PROXY (Go's rules).

Common flags:
  --users-namespace NS         namespace of the users' ServiceAccounts (default "users")
  --kubeconfig F               admin kubeconfig (default: KUBECONFIG, else ~/.kube/config, else in-cluster)
  --context C                  kubeconfig context
`;
