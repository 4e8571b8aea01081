import type { BackgroundJob, BackgroundOptions, RunResult, Transport } from "./types";

/** Quotes one word for a POSIX shell. */
export function shq(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return "'" + word.replace(/'/g, "'\\''") + "'";
}

export function shJoin(argv: readonly string[]): string {
  return argv.map(shq).join(" ");
}

/** First line of every script: names the probe so logs (and the replaying test transport) can tell them apart. */
export function scriptHeader(kind: string): string {
  return `# dvr-lab:${kind}\n`;
}

/**
 * `startBackground` for any transport that can `run` a script: the job runs detached on the node
 * (`setsid timeout <max> sh job.sh`, output into a temp dir), and `stop` is a second `run` that
 * sends SIGTERM to its process group, waits up to 5 s (then SIGKILL), prints the output and removes
 * the temp dir. The job sees its directory in `$DVRLAB_JOB_DIR`.
 */
export async function detachedBackground(
  transport: Pick<Transport, "run">,
  host: string,
  script: string,
  opts: BackgroundOptions,
): Promise<BackgroundJob> {
  const readyTicks = Math.ceil((opts.readyTimeoutMs ?? 8000) / 100);
  const marker = opts.readyMarker ?? "";
  const delim = "DVRLAB_JOB_EOF_7f3a";
  if (script.includes(delim)) throw new Error("background script contains the here-document delimiter");
  const start =
    scriptHeader("background-start") +
    `d=$(mktemp -d /tmp/dvr-lab-job.XXXXXX) || exit 1
cat > "$d/job.sh" <<'${delim}'
${script}
${delim}
DVRLAB_JOB_DIR="$d" setsid timeout -s TERM ${Math.max(1, Math.round(opts.maxSeconds))} sh "$d/job.sh" > "$d/out" 2> "$d/err" < /dev/null &
echo $! > "$d/pid"
echo "DVRLAB_JOB $d"
${marker ? `i=0; while [ $i -lt ${readyTicks} ]; do grep -q ${shq(marker)} "$d/out" 2>/dev/null && break; sleep 0.1; i=$((i+1)); done
grep -q ${shq(marker)} "$d/out" && echo DVRLAB_READY || echo DVRLAB_NOT_READY` : "echo DVRLAB_READY"}
`;
  const res = await transport.run(host, { script: start }, { timeoutMs: (opts.readyTimeoutMs ?? 8000) + 30000 });
  const dir = /DVRLAB_JOB (\/tmp\/dvr-lab-job\.[A-Za-z0-9]+)/.exec(res.stdout)?.[1];
  if (res.code !== 0 || !dir) {
    throw new Error(`could not start background job on ${host}: exit ${res.code}: ${res.stderr.trim() || res.stdout.trim()}`);
  }
  const ready = /DVRLAB_READY/.test(res.stdout);
  return {
    host,
    ready,
    stop: async (stopOpts) => {
      const stop =
        scriptHeader("background-stop") +
        `d=${shq(dir)}
p=$(cat "$d/pid" 2>/dev/null)
if [ -n "$p" ]; then
  kill -TERM -- -"$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
  i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
  kill -KILL -- -"$p" 2>/dev/null
fi
cat "$d/out" 2>/dev/null
cat "$d/err" >&2 2>/dev/null
rm -rf "$d"
`;
      return transport.run(host, { script: stop }, { timeoutMs: stopOpts?.timeoutMs ?? 30000 });
    },
  };
}

/** A RunResult for a failure that happened before anything ran on the node. */
export function localFailure(message: string): RunResult {
  return { code: 255, stdout: "", stderr: message };
}
