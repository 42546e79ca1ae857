// test/clients/LAST-RUN.md: the matrix's table, as `npm run test:clients` last measured it.
export interface Row {
  client: string;
  version: string;
  keyType: string;
  behaviour: string;
  result: string;
}

interface Run {
  date: Date;
  serverVersion: string;
  rows: readonly Row[];
  builds: ReadonlyArray<{ what: string; took: string }>;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderTable({ date, serverVersion, rows, builds }: Run): string {
  const day = date.toISOString().slice(0, 10);
  const lines = [
    '# Client matrix: last run',
    '',
    `Written by \`npm run test:clients\` (test/clients/matrix.ts) on ${date.toISOString()}, against kube-apiserver ${serverVersion}`,
    'built here. Each client authenticates through the exec stanza `setup` wrote and asks SelfSubjectReview',
    "every 20 s from start until 60 s past its first certificate's NotAfter (600 s certificates, renewed",
    '15 s after issue). What each does is explained in docs/clients.md.',
    '',
    '| client | version | key type (served PEM) | behaviour at expiry (measured) | result | date |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${[r.client, r.version, r.keyType, r.behaviour, r.result, day].map(cell).join(' | ')} |`),
    '',
    'Builds (each from its registry, cached outside the clone under ~/.cache/kube-csr-login/):',
    '',
    ...builds.map((b) => `- ${b.what}: ${b.took}`),
    '',
  ];
  return lines.join('\n');
}
