// Failover on the real control plane: two approver replicas, `kill -9` of the leader in the middle of
// a 2,000-CSR burst; every CSR ends decided exactly once (no double approval, none left pending) and
// the standby takes over within the Lease duration. The bench runs 20 rounds (failoverRounds).
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { cluster, tempDir } from './cluster.js';
import { type Replica, failoverRound, leaseDurationMs, startReplica, stopReplica } from './failover-round.js';
import { type ProvisionedUser, provisionUser } from './provision.js';

jest.setTimeout(600_000);
// Its own users namespace and Lease: the other e2e files run their own approvers or decide by hand.
const namespace = 'failover-users';
const rounds = Number(process.env.KCL_FAILOVER_ROUNDS ?? 2);
let user: ProvisionedUser;
let replicas: Replica[] = [];

beforeAll(async () => {
  user = await provisionUser(await tempDir('failover'), 'failover.user', ['devs'], namespace);
  replicas = [startReplica(namespace, cluster.adminKubeconfig), startReplica(namespace, cluster.adminKubeconfig)];
});
afterAll(async () => {
  await Promise.all(replicas.map(stopReplica));
});

test(`kill -9 of the leader mid-burst, ${rounds} rounds: every CSR decided exactly once, takeover within the lease duration`, async () => {
  const log = (line: string) => process.stderr.write(`failover: ${line}\n`);
  for (let round = 1; round <= rounds; round += 1) {
    // a seeded spread of kill points: early, middle, late in the burst
    const killAfter = [300, 1000, 1600][round % 3]!;
    const outcome = await failoverRound(round, user, namespace, replicas, 2000, killAfter, log);
    replicas = outcome.replicas;
    const r = outcome.result;
    expect({ round, stuck: r.stuck, doubleOrWrong: r.doubleOrWrong, approved: r.approved }).toEqual({
      round,
      stuck: 0,
      doubleOrWrong: 0,
      approved: 2000,
    });
    expect(r.decidedAtKill).toBeLessThan(2000); // killed mid-burst, not after
    expect(r.takeoverMs).toBeLessThanOrEqual(leaseDurationMs);
  }
});
