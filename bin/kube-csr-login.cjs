#!/usr/bin/env node
// Node entry of kube-csr-login. bin/kube-csr-login (POSIX sh) serves fresh cached credentials
// itself and execs this file for everything else; platforms without sh run this file directly.
// CommonJS on purpose: with the fast path bundled into one CommonJS file (dist/fast-path.cjs), a
// cache hit costs Node's start-up plus ~3 ms, where an ES module graph costs ~10 ms more.
'use strict';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `kube-csr-login: needs Node.js >= 22.19, found ${process.version}; install a current LTS Node.js or point KUBE_CSR_LOGIN_NODE at one\n`,
  );
  process.exitCode = 3;
} else {
  const args = process.argv.slice(2);
  const fastPath = require('../dist/fast-path.cjs');
  const answer = fastPath.fastPathAnswer(args, process.env, process.platform);
  if (answer !== undefined) {
    fastPath.writeStdout(answer); // not process.stdout: on kubectl's pipe that alone costs ~6 ms
  } else {
    let cli;
    try {
      cli = require('../dist/kube-csr-login.cjs'); // src/cli/main.ts bundled: one file loads faster than a module graph
    } catch (error) {
      process.stderr.write(`kube-csr-login: internal error: cannot load the program (${String(error).split('\n')[0]})\n`);
      process.exitCode = 70;
    }
    if (cli) {
      cli.main(args, __filename).then(
        (code) => (process.exitCode = code),
        (error) => {
          process.stderr.write(`kube-csr-login: internal error: ${String(error).split('\n')[0]}\n`);
          process.exitCode = 70;
        },
      );
    }
  }
}
