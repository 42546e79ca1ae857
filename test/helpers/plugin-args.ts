// The get-credential command line with every connection flag given (no profile): what a kubeconfig
// exec stanza written by hand, or a test calling the plugin directly, passes.
import path from 'node:path';

export interface PluginTarget {
  server: string;
  caFile: string;
  tokenFile: string;
  user: string;
  /** --groups, left out when undefined. */
  groups?: string | readonly string[];
}

export function pluginArgs(target: PluginTarget, ...extra: string[]): string[] {
  const { server, caFile, tokenFile, user, groups } = target;
  const groupArgs = groups === undefined ? [] : ['--groups', typeof groups === 'string' ? groups : groups.join(',')];
  return [
    'get-credential',
    '--server',
    server,
    '--certificate-authority',
    caFile,
    '--token-file',
    tokenFile,
    '--user',
    user,
    ...groupArgs,
    ...extra,
  ];
}

/** The plugin's arguments for jean.doe (group devs) against SERVER, with the token and CA files a test wrote in ROOT. */
export function jeanDoeArgs(server: string, root: string): string[] {
  return pluginArgs({ server, caFile: path.join(root, 'ca.crt'), tokenFile: path.join(root, 'token'), user: 'jean.doe', groups: 'devs' });
}
