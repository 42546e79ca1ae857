#!/usr/bin/env node
// Node entry of kube-csr-login. bin/kube-csr-login (POSIX sh) serves fresh cached credentials
// itself and execs this file for everything else; platforms without sh run this file directly.
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `kube-csr-login: needs Node.js >= 22.19, found ${process.version}; install a current LTS Node.js or point KUBE_CSR_LOGIN_NODE at one\n`,
  );
  process.exitCode = 3;
} else {
  const args = process.argv.slice(2);
  // Same fast path as the sh launcher, for platforms and callers that come straight here.
  const { fastPathAnswer } = await import('../dist/cli/fast-path.js');
  const answer = fastPathAnswer(args, process.env, process.platform);
  if (answer !== undefined) {
    process.stdout.write(answer);
  } else {
    const { main } = await import('../dist/cli/main.js');
    process.exitCode = await main(args, fileURLToPath(import.meta.url));
  }
}
