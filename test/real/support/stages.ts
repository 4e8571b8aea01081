/**
 * The push restarts a stage's services together (remote/dvr_push.py, SERVICE_STAGE): their restart
 * calls come in any order within the stage, the stages in order. `staged` cuts a list of calls into
 * consecutive groups of the given sizes and sorts each, so that a test compares stages as sets.
 */
export function staged(calls: readonly string[], sizes: readonly number[]): string[][] {
  const out: string[][] = [];
  let i = 0;
  for (const n of sizes) {
    out.push([...calls.slice(i, i + n)].sort());
    i += n;
  }
  if (i < calls.length) out.push([...calls.slice(i)]);
  return out;
}

/** Sizes of the consecutive runs of equal `stage` in a push document's services. */
export function stageSizes(services: readonly { stage?: number }[]): number[] {
  const sizes: number[] = [];
  let last: number | undefined | null = null;
  for (const s of services) {
    if (sizes.length && s.stage !== undefined && s.stage === last) sizes[sizes.length - 1]++;
    else sizes.push(1);
    last = s.stage;
  }
  return sizes;
}
