import { readFileSync } from "fs";
import { descriptionFromStack, run as twin } from "./cli";
import { referenceDescription } from "./reference";

/** The twin name `twin up` uses for these arguments (the lab name when --name is absent). */
function labName(args: string[]): string {
  const val = (flag: string) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : undefined);
  const stack = val("--stack");
  if (stack) return descriptionFromStack(JSON.parse(readFileSync(stack, "utf8"))).name;
  const desc = val("--description");
  if (desc) return (JSON.parse(readFileSync(desc, "utf8")) as { name: string }).name;
  return referenceDescription().name;
}

/**
 * `dvr-lab lab`: twin up, verify, twin down.
 * TODO(issue #6/#4): wire the verify step to lib/verify (TwinTransport + NamespaceVmExecutor +
 * TwinTransport.neutron()) once its entry point takes a transport; until then `lab` brings the twin
 * up (which already gates on every VM pair answering ping) and takes it down again.
 */
export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write("usage: dvr-lab lab [twin up options]   (root)\n  twin up, verify (TODO: not wired yet), twin down\n");
    return 0;
  }
  const up = await twin(["up", ...args]);
  process.stderr.write("dvr-lab lab: TODO verify step not wired yet (lib/verify); the twin's own data-plane gate ran.\n");
  const nameIdx = args.indexOf("--name");
  const downArgs = ["down", "--name", nameIdx >= 0 ? args[nameIdx + 1] : labName(args)];
  const sd = args.indexOf("--state-dir");
  if (sd >= 0) downArgs.push("--state-dir", args[sd + 1]);
  const down = up === 0 || up === 1 ? await twin(downArgs) : 0;
  return up !== 0 ? up : down;
}
