/**
 * The output of `curl -D - -w '\n%{http_code}'` split into status, headers (lower-case names) and
 * body: the header block(s) come first (an interim 100 Continue, then the final one), the status
 * last. (-D /dev/stderr is no option: node's child stdio are sockets, which curl 7.88 cannot open
 * by path; it segfaults.)
 */
export function splitCurlResponse(stdout: string): { status: number; headers: Record<string, string>; body: string } {
  const cut = stdout.lastIndexOf("\n");
  const status = Number(stdout.slice(cut + 1));
  let rest = stdout.slice(0, cut);
  const headers: Record<string, string> = {};
  while (/^HTTP\/[0-9.]+ \d{3}/.test(rest)) {
    const end = rest.indexOf("\r\n\r\n");
    const block = end < 0 ? rest : rest.slice(0, end);
    rest = end < 0 ? "" : rest.slice(end + 4);
    for (const line of block.split("\r\n").slice(1)) {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) headers[m[1].toLowerCase()] = m[2].trim();
    }
  }
  return { status, headers, body: rest };
}
