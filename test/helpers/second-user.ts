// A second local uid for tests of what another user on the machine can do to our files. The suite
// runs as root (CI, e2e); the throwaway system user is created once, idempotently, and commands run
// as it through setpriv (util-linux) with no supplementary groups.
import { execFileSync } from 'node:child_process';

const intruderName = 'kcl-intruder';

export interface SecondUser {
  uid: number;
  gid: number;
  /** Runs `sh -c script` as that user with args as $1...; stdin from input. Throws on failure. */
  sh: (script: string, args?: string[], input?: string) => string;
}

export function secondUser(): SecondUser {
  if (process.getuid?.() !== 0) throw new Error('this test needs root (to act as a second uid with setpriv); the suite runs as root in CI');
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, intruderName], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    id('-u');
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', intruderName], { stdio: 'ignore' });
    } catch {
      // another test file created it meanwhile; id() below says if it really is missing
    }
  }
  const uid = id('-u');
  const gid = id('-g');
  return {
    uid,
    gid,
    sh: (script, args = [], input) =>
      execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', 'sh', '-c', script, 'sh', ...args], {
        encoding: 'utf8',
        input: input ?? '',
        env: { PATH: '/usr/bin:/bin' },
      }),
  };
}
