// `kube-csr-login admin trace AUDIT_LOG|- [--records FILE] [--credential-id ID] [--user NAME]
// [--requests N] [-o json]`: which certificate made which requests, issued when, to which
// ServiceAccount. Reads files (or stdin) only: no cluster access, so it also works on archived logs.
import { createReadStream } from 'node:fs';
import { KclError, describe } from '../../errors.js';
import { isCredentialId } from '../../trace/credential-id.js';
import { renderTraceJson, renderTraceText } from '../../trace/render-trace.js';
import type { IssuanceRecord } from '../../trace/issuance-records.js';
import type { LineProblem } from '../../trace/json-lines.js';
import { readIssuanceRecords, trace } from '../../trace/trace.js';
import type { Edge } from '../edge.js';
import { parseFlags } from '../parse-values.js';

const options = {
  records: { type: 'string' },
  'credential-id': { type: 'string' },
  user: { type: 'string' },
  requests: { type: 'string', default: '20' },
  output: { type: 'string', short: 'o', default: 'text' },
} as const;

export async function runTrace(args: string[], edge: Edge): Promise<void> {
  const { values, positionals } = parseFlags({ args, options, allowPositionals: true }, 'admin trace');
  const [auditLog, ...more] = positionals;
  if (auditLog === undefined || more.length > 0) throw new KclError('usage', 'admin trace: give one audit log FILE (or - for stdin)');
  if (values.output !== 'text' && values.output !== 'json') throw new KclError('usage', 'admin trace: -o must be text or json');
  const credentialId = values['credential-id'];
  if (credentialId !== undefined && !isCredentialId(credentialId))
    throw new KclError(
      'usage',
      'admin trace: --credential-id takes X509SHA256=<64 lowercase hex digits>, as status and the audit log show it',
    );
  if (values.records === '-' && auditLog === '-') throw new KclError('usage', 'admin trace: only one of the inputs can be stdin');
  const maxRequests = Number(values.requests);
  if (!/^\d+$/.test(values.requests) || maxRequests > 100_000)
    throw new KclError('usage', 'admin trace: --requests takes a whole number up to 100000');
  const report = await trace({
    audit: open(auditLog, 'audit log', edge),
    ...(values.records === undefined ? {} : { records: open(values.records, 'records', edge) }),
    ...(credentialId === undefined ? {} : { credentialId }),
    ...(values.user === undefined ? {} : { user: values.user }),
    maxRequests,
  });
  edge.stdout(values.output === 'json' ? renderTraceJson(report) : renderTraceText(report));
}

/** For list-users --records: the records, and one warning line when some lines were unusable. */
export async function readRecords(file: string, edge: Edge): Promise<IssuanceRecord[]> {
  let first: LineProblem | undefined;
  let skipped = 0;
  const records = await readIssuanceRecords(open(file, 'records', edge), (p) => {
    first ??= p;
    skipped += 1;
  });
  if (first) edge.stderr(`kube-csr-login: warning: ${skipped} lines of ${file} skipped (line ${first.line}: ${first.problem})\n`);
  return [...records.values()];
}

async function* open(file: string, what: string, edge: Edge): AsyncIterable<Uint8Array> {
  if (file === '-') {
    yield* edge.readStdinChunks();
    return;
  }
  try {
    for await (const chunk of createReadStream(file)) yield chunk as Uint8Array;
  } catch (error) {
    throw new KclError('config', `admin trace: could not read the ${what} ${file}: ${describe(error)}`, { cause: error });
  }
}
