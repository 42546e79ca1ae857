// What the admin commands print on stdout: short human text, a table, or one JSON document.
// Nothing here ever sees a token.
import type { AddUserResult } from './add-user.js';
import { objectLabel } from './object-refs.js';
import type { RemovedObject } from './remove-user.js';
import type { UserRow } from './list-users.js';
import { relativeTime, rfc3339Seconds } from '../util/time.js';

export function addUserText(user: { name: string; groups: string[]; usersNamespace: string }, result: AddUserResult): string {
  const groups = user.groups.length > 0 ? user.groups.join(', ') : 'none';
  const lines = [`user ${user.name} (groups: ${groups}) in namespace ${user.usersNamespace}:`];
  for (const { ref, outcome } of result.applied) lines.push(`  ${outcome.padEnd(9)} ${objectLabel(ref)}`);
  const old = result.oldTokenSecret;
  if (old?.outcome === 'deleted')
    lines.push(
      `deleted Secret ${old.namespace}/${old.name}: its long-lived token no longer works (within ~10 s: the API server caches accepted tokens)`,
    );
  if (old?.outcome === 'unmanaged') {
    lines.push(
      `warning: Secret ${old.namespace}/${old.name} is not managed by kube-csr-login (no label app.kubernetes.io/managed-by=kube-csr-login): left in place; a long-lived token it holds still works (kubectl delete it to revoke that token)`,
    );
  }
  if (result.tokenExpires) lines.push(`token: requested with a TokenRequest, valid until ${rfc3339Seconds(result.tokenExpires)}`);
  else if (result.tokenSecret) lines.push(`token: in Secret ${result.tokenSecret.namespace}/${result.tokenSecret.name} (not printed)`);
  if (result.bundleFile) {
    lines.push(`wrote the login bundle ${result.bundleFile} (mode 0600; it holds the token: hand it over privately)`);
    lines.push(`${user.name} runs: kube-csr-login setup --bundle ${result.bundleFile}`);
  } else {
    lines.push(
      `to hand the token over, write a login bundle: rerun with --bundle FILE, then ${user.name} runs: kube-csr-login setup --bundle FILE`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function removeUserText(user: { name: string; usersNamespace: string }, removed: RemovedObject[]): string {
  const lines = [`user ${user.name} in namespace ${user.usersNamespace}:`];
  for (const { ref, outcome } of removed) lines.push(`  ${outcome === 'removed' ? 'removed  ' : 'not found'} ${objectLabel(ref)}`);
  lines.push(`certificates already issued to ${user.name} stay valid until they expire (at most the approver's --max-expiration)`);
  return `${lines.join('\n')}\n`;
}

export function usersJson(usersNamespace: string, rows: UserRow[]): string {
  const users = rows.map((row) => ({
    name: row.name,
    groups: row.groups,
    csr: row.csr ? { name: row.csr.name, created: row.csr.created.toISOString(), state: row.csr.state } : null,
    certificateExpires: row.certificateExpires?.toISOString() ?? null,
    credentialId: row.credentialId ?? null,
    lastRenewal: row.lastRenewal?.toISOString() ?? null,
    tokenLastUsed: row.tokenLastUsed ?? null,
  }));
  return `${JSON.stringify({ namespace: usersNamespace, users }, null, 2)}\n`;
}

export function usersTable(usersNamespace: string, rows: UserRow[], now: Date): string {
  if (rows.length === 0) return `no kube-csr-login users in namespace ${usersNamespace}\n`;
  const table = [['NAME', 'GROUPS', 'CSR CREATED', 'CSR', 'CERTIFICATE EXPIRES', 'LAST RENEWAL', 'TOKEN LAST USED', 'CREDENTIAL ID']];
  for (const row of rows) {
    table.push([
      row.name,
      row.groups.join(',') || '-',
      row.csr ? rfc3339Seconds(row.csr.created) : '-',
      row.csr?.state ?? 'none',
      row.certificateExpires
        ? `${rfc3339Seconds(row.certificateExpires)} (${relativeTime(row.certificateExpires, now, 'in', 'expired')})`
        : '-',
      row.lastRenewal ? rfc3339Seconds(row.lastRenewal) : '-',
      row.tokenLastUsed ?? '-',
      row.credentialId ?? '-',
    ]);
  }
  const widths = table[0]?.map((_, column) => Math.max(...table.map((cells) => (cells[column] ?? '').length))) ?? [];
  return (
    table
      .map((cells) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '))
      .join('\n') + '\n'
  );
}
