// After a background renewal (a detached process: kubectl never waits on it), compare the profile's
// CA with the published serving CA, at most once a day, and record the result for `status`.
import type { Connection } from '../kube/connection.js';
import type { ApiClient } from '../kube/http.js';
import { checkServingCa, dailyMs, readCaCheck, writeCaCheck } from './ca-check.js';

export interface DailyCheckInput {
  connection: Connection;
  token: () => Promise<string>;
  /** The profile's ca-check.json. */
  file: string;
  profile: string;
}

export interface DailyCheckDeps {
  now: () => Date;
  openTokenApi: (connection: Connection, token: string) => Promise<ApiClient>;
}

/** True when it checked (the record was missing, unreadable or a day old). */
export async function dailyCaCheck(deps: DailyCheckDeps, input: DailyCheckInput): Promise<boolean> {
  const currentPem = input.connection.certificateAuthorityPem;
  const last = await readCaCheck(input.file);
  if (currentPem === undefined || (last && deps.now().getTime() - last.checkedAt.getTime() < dailyMs)) return false;
  const client = await deps.openTokenApi(input.connection, await input.token());
  await writeCaCheck(input.file, await checkServingCa(client, currentPem, input.profile, deps.now()));
  return true;
}
