#!/usr/bin/env python3
"""Stand-in for remote/dvr_push.py (push document dvr-lab/push@1, docs/CONTRACTS.md section 1).

The lab twin uploads and runs this file exactly like the ConfigPush null_resource would run the
project's real push script, until remote/dvr_push.py exists in the package; then the twin uses the
real one. It implements the contract's core: set every key of every file (never delete), restart
the services whose files changed in the document's order, wait for a service's healthUrl, and
check that restarted services are still active after settleSeconds. Python 3 stdlib only.
"""
import json
import re
import subprocess
import sys
import time
import urllib.request

SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")


def set_keys(path, settings):
    """Sets section/key/value in an ini file, keeping everything else. Returns True if changed."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        lines = []
    before = list(lines)
    for s in settings:
        section, key, value = s["section"], s["key"], s["value"]
        text = f"{key} = {value}" if value != "" else f"{key} ="
        start = None
        end = len(lines)
        for i, line in enumerate(lines):
            m = SECTION.match(line)
            if m:
                if start is not None:
                    end = i
                    break
                if m.group(1).strip() == section:
                    start = i
        if start is None:
            if lines and lines[-1].strip():
                lines.append("")
            lines += [f"[{section}]", text]
            continue
        key_re = re.compile(r"^\s*" + re.escape(key) + r"\s*[=:]")
        for i in range(start + 1, end):
            if key_re.match(lines[i]):
                lines[i] = text
                break
        else:
            lines.insert(end if end == len(lines) else end, text)
            # keep a blank line before the next section
    if lines != before:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return True
    return False


def active(unit):
    return subprocess.run(["systemctl", "is-active", unit], capture_output=True, text=True).returncode == 0


def main():
    doc = json.load(open(sys.argv[1], encoding="utf-8"))
    if doc.get("schema") != "dvr-lab/push@1":
        sys.exit(f"push: unsupported schema {doc.get('schema')!r}")
    changed = set()
    for f in doc["files"]:
        if set_keys(f["path"], f["settings"]):
            changed.update(f["services"])
            print(f"push {doc['node']}: {f['path']} changed")
    restarted = []
    for svc in doc["services"]:
        if svc["name"] not in changed and active(svc["unit"]):
            continue
        r = subprocess.run(["systemctl", "restart", svc["unit"]], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"push {doc['node']}: systemctl restart {svc['unit']} failed: {r.stderr.strip()}")
        restarted.append(svc)
        url = svc.get("healthUrl")
        if url:
            deadline = time.time() + doc.get("apiTimeoutSeconds", 90)
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2).read()
                    break
                except Exception as e:  # noqa: BLE001 - any failure means not up yet
                    if hasattr(e, "code"):
                        break  # an HTTP error answer means the API is up
                    if time.time() > deadline:
                        sys.exit(f"push {doc['node']}: {url} did not answer: {e}")
                    time.sleep(0.3)
    if restarted:
        time.sleep(doc.get("settleSeconds", 5))
    dead = [s["unit"] for s in restarted if not active(s["unit"])]
    if dead:
        sys.exit(f"push {doc['node']}: not active after restart: {', '.join(dead)}")
    print(f"push {doc['node']}: restarted {', '.join(s['unit'] for s in restarted) or 'nothing'}")


if __name__ == "__main__":
    main()
