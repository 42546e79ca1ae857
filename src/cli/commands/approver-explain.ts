// `kube-csr-login approver explain (CSR-NAME | -f FILE|-)`: read-only. Reads the CSR (from the API
// or a YAML/JSON file) and the requester's ServiceAccount as they are now, and prints how the
// approver's policy judges it (src/approver/explain.ts), as text or with -o json.
import { parse } from 'yaml';
import { KclError, describe } from '../../errors.js';
import { approverApi } from '../../approver/approver-api.js';
import { explain, renderExplanation } from '../../approver/explain.js';
import { userOf } from '../../approver/policy.js';
import { type CsrObject, parseCsrObject } from '../../kube/csr-object.js';
import { loadKubeconfigClient } from '../../kube/kubeconfig-client.js';
import { parseServiceAccount } from '../../kube/service-account.js';
import { inputBounds, readNamedFile } from '../../util/bounded-read.js';
import { type Json, isRecord } from '../../util/validate.js';
import type { Edge } from '../edge.js';
import { parseFlags } from '../parse-values.js';
import { policyConfig, policyOptions } from './approver-flags.js';

const options = {
  ...policyOptions,
  filename: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o', default: 'text' },
} as const;

export async function run(args: string[], edge: Edge): Promise<void> {
  const { values, positionals } = parseFlags({ args, options, allowPositionals: true }, 'approver explain');
  const byName = values.filename === undefined && positionals.length === 1;
  const byFile = values.filename !== undefined && positionals.length === 0;
  if (!byName && !byFile) throw new KclError('usage', 'approver explain takes one CSR name, or -f FILE (- for stdin)');
  if (values.output !== 'text' && values.output !== 'json') throw new KclError('usage', '-o must be text or json');
  const config = policyConfig(values);
  const client = await loadKubeconfigClient({
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.context ? { context: values.context } : {}),
    env: edge.env,
    nowMs: () => edge.now().getTime(),
  });
  const api = approverApi(client, 'explain');
  let raw: Json | undefined;
  if (values.filename === undefined) {
    raw = await api.getRaw(positionals[0] ?? '');
    if (!raw) throw new KclError('notFound', `CSR ${positionals[0]} not found`);
  } else raw = await readObject(values.filename, edge);
  let csr: CsrObject;
  try {
    csr = parseCsrObject(raw);
  } catch (error) {
    throw new KclError('config', `not a CertificateSigningRequest: ${describe(error)}`);
  }
  const user = userOf(csr.username, config);
  const account = user === undefined ? undefined : await api.getServiceAccount(config.usersNamespace, user);
  const explanation = explain(raw, csr, account === undefined ? undefined : parseServiceAccount(account), config);
  edge.stdout(values.output === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
}

async function readObject(file: string, edge: Edge): Promise<Json> {
  let text: string;
  try {
    text = file === '-' ? await edge.readStdin(inputBounds.objectFile) : (await readNamedFile(file, inputBounds.objectFile, file)).text;
  } catch (error) {
    if (error instanceof KclError) throw error;
    throw new KclError('config', `cannot read ${file}: ${describe(error)}`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new KclError('config', `${file} is not YAML or JSON: ${describe(error)}`);
  }
  if (!isRecord(value)) throw new KclError('config', `${file} does not hold one object`);
  // A manifest not yet created has no uid or resourceVersion; the policy does not use them.
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  return { ...value, metadata: { name: '(unnamed)', uid: '(none)', resourceVersion: '(none)', ...metadata } };
}
