import { run, RunResult } from "../common/process";

/**
 * The operator side's SSH client to twin hosts. The management network lives in the twin's outer
 * namespace, so the client runs with that namespace's network (nsenter -n) and the operator's own
 * files; host keys are VERIFIED against the twin's known_hosts (StrictHostKeyChecking=yes).
 */
export class TwinSsh {
  constructor(
    private readonly outerPid: number,
    private readonly keyFile: string,
    private readonly knownHosts: string,
  ) {}

  public argv(address: string, command: string, user = "root"): string[] {
    return [
      "nsenter",
      "-t",
      String(this.outerPid),
      "-n",
      "--",
      "ssh",
      "-F",
      "/dev/null",
      "-i",
      this.keyFile,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      `UserKnownHostsFile=${this.knownHosts}`,
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=5",
      "-o",
      "LogLevel=ERROR",
      `${user}@${address}`,
      command,
    ];
  }

  public exec(address: string, command: string, input?: string, timeoutMs = 180000): Promise<RunResult> {
    return run(this.argv(address, command), { input, timeoutMs });
  }
}

/** An sshd_config of the twin (a host's or a VM's sshd): key-only root login, no PAM. */
export function sshdConfig(o: { readonly listen: string; readonly hostKey: string; readonly authorizedKeys: string; readonly pidFile: string; readonly sftp?: boolean }): string {
  return [
    `ListenAddress ${o.listen}`,
    "Port 22",
    `HostKey ${o.hostKey}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    "StrictModes no",
    "PrintMotd no",
    `PidFile ${o.pidFile}`,
    ...(o.sftp ? ["Subsystem sftp internal-sftp"] : []),
    "",
  ].join("\n");
}
