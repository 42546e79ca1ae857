// The CSR list as kube-apiserver's server-side Table (what `kubectl get csr` prints): per CSR its
// name, requester and condition, ~100 bytes instead of the ~3 KB object with its request and
// certificate. A relist of 100,000 mostly issued CSRs then parses ~15 MB instead of ~300 MB, and the
// approver reads in full only the few that are pending. The watch still carries whole objects.
import { type Json, isRecord } from '../util/validate.js';

export const tableAccept = 'application/json;as=Table;g=meta.k8s.io;v=v1';

export interface CsrRow {
  name: string;
  /** spec.username of the requester; undefined when the table has no such column. */
  requester: string | undefined;
  /** kube-apiserver's printer: "Pending" exactly when no Approved, Denied or Failed condition and no
   * certificate; otherwise e.g. "Approved,Issued" or "Denied". */
  condition: string;
}

export interface CsrTablePage {
  rows: CsrRow[];
  resourceVersion: string;
  continueToken: string;
}

/**
 * Reads one page. Without a Condition or Requestor column every row counts as pending (the worker
 * reads each CSR in full and judges it), so an unexpected table costs reads, never a missed CSR.
 */
export function readCsrTable(doc: unknown): CsrTablePage {
  if (!isRecord(doc) || doc.kind !== 'Table' || !Array.isArray(doc.rows)) throw new Error('the CSR list is not a meta.k8s.io Table');
  const columns = Array.isArray(doc.columnDefinitions) ? doc.columnDefinitions.map((c) => (isRecord(c) ? c.name : undefined)) : [];
  const at = (name: string) => columns.indexOf(name);
  const [name, requester, condition] = [at('Name'), at('Requestor'), at('Condition')];
  if (name < 0) throw new Error('the CSR table has no Name column');
  const cell = (cells: unknown[], index: number) => {
    const value = index >= 0 ? cells[index] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const rows: CsrRow[] = [];
  for (const row of doc.rows) {
    const cells: unknown[] = isRecord(row) && Array.isArray(row.cells) ? row.cells : [];
    const rowName = cell(cells, name);
    if (!rowName) continue;
    rows.push({ name: rowName, requester: cell(cells, requester), condition: cell(cells, condition) ?? 'Pending' });
  }
  const metadata: Json = isRecord(doc.metadata) ? doc.metadata : {};
  return {
    rows,
    resourceVersion: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '',
    continueToken: typeof metadata.continue === 'string' ? metadata.continue : '',
  };
}
