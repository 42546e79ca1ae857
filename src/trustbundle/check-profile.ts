// `status --check-ca`: compare one profile's CA with the published serving CA now and record it.
// Any failure (no token, passphrase not given, server unreachable) is recorded as the result.
import { describe } from '../errors.js';
import type { Connection } from '../kube/connection.js';
import type { ApiClient } from '../kube/http.js';
import type { Profile } from '../profile/profile.js';
import { profileConnection } from '../setup/refresh-ca.js';
import { type CaCheck, checkServingCa, writeCaCheck } from './ca-check.js';

export interface CheckProfileDeps {
  now: () => Date;
  readToken: (name: string, profile: Profile) => Promise<string>;
  openTokenApi: (connection: Connection, token: string) => ApiClient;
}

export async function checkProfileCa(deps: CheckProfileDeps, name: string, profile: Profile, file: string): Promise<CaCheck> {
  let check: CaCheck;
  try {
    const { connection, currentPem } = await profileConnection(name, profile);
    const client = deps.openTokenApi(connection, await deps.readToken(name, profile));
    check = await checkServingCa(client, currentPem, name, deps.now());
  } catch (error) {
    check = { checkedAt: deps.now(), state: 'failed', message: `not checked: ${describe(error)}` };
  }
  await writeCaCheck(file, check);
  return check;
}
