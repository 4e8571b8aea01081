#!/usr/bin/env python3
# dvr-lab config push (remote side). Python 3 standard library only; runs on 3.6+.
#
#   python3 dvr_push.py DESIRED.json [--dry-run | --no-restart]
#
#   --dry-run     print what would change and which services would restart; change nothing
#   --no-restart  write the files (with backups) but restart nothing, e.g. to stage a node's config
#                 before its agents first start (docs/DVR.md section 3.3: set agent_mode before first start)
#
# Reads one push document (schema dvr-lab/push@1, docs/CONTRACTS.md section 1), sets exactly the
# listed keys in the node's neutron files with a comment-preserving editor, keeps a timestamped
# backup of every file it changes, restarts only the services that read a changed file (in the
# document's order), gates each restart on health, and on a failed restart restores the backups,
# restarts the affected services again and exits non-zero with one clear error line.
# docs/PUSH.md describes what this does to a node.
"""dvr-lab config push: comment-preserving INI edit, backup, ordered restart, health gate, rollback."""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

SCHEMA = "dvr-lab/push@1"
BACKUP_TAG = ".dvr-lab-"
SERVICE_MANAGERS = ("systemd", "kolla")
KEY_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
POLL_SECONDS = 0.5
# How long the health gate waits for a restarted service's first log line (see restart_and_gate).
LOG_WAIT_SECONDS = 60
COMMAND_TIMEOUT = 180

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class PushError(Exception):
    """An error that ends the push with one message line."""


# --------------------------------------------------------------------------------------------
# INI editor. Mirrors oslo.config's iniparser: a line is blank, a comment ('#' or ';' in column
# 0), a continuation (leading whitespace), a section header ('[' in column 0) or 'key = value'
# (split at the first '=' or ':'; the value is stripped and one pair of matching quotes removed).
# Sections may repeat; oslo.config merges them and the last value of a key wins.
# --------------------------------------------------------------------------------------------


def _eol(line):
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return ""


def _split_key_value(text):
    colon = text.find(":")
    equal = text.find("=")
    if colon < 0 and equal < 0:
        return None
    if colon < 0 or (0 <= equal < colon):
        key, value = text[:equal], text[equal + 1:]
    else:
        key, value = text[:colon], text[colon + 1:]
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in ("'", '"'):
        value = value[1:-1]
    return key.strip(), value


class IniDoc(object):
    """A file as a list of lines (each with its own line ending) plus a parse of them."""

    def __init__(self, text):
        self.lines = text.splitlines(True)

    def text(self):
        return "".join(self.lines)

    def _parse(self):
        """Returns (sections, entries). sections: [(name, header_index, end_index_exclusive)].
        entries: [(section_name, kind, key, value, index, n_continuation)], kind 'key' or 'comment'."""
        sections = []
        entries = []
        current = None
        last_key = None
        for i, raw in enumerate(self.lines):
            line = raw.rstrip()
            if not line:
                last_key = None
                continue
            first = line[0]
            if first in "#;":
                last_key = None
                body = line.lstrip("#;").strip()
                if current is not None and "=" in body:
                    kv = _split_key_value(body)
                    if kv is not None and KEY_RE.match(kv[0]):
                        entries.append([current[0], "comment", kv[0], kv[1], i, 0])
                continue
            if first.isspace():
                if last_key is not None:
                    last_key[5] += 1
                    last_key[3] = last_key[3] + "\n" + line.strip()
                continue
            if first == "[":
                end = line.find("]")
                name = line[1:end].strip() if end > 0 else line[1:].strip()
                if current is not None:
                    sections.append((current[0], current[1], i))
                current = (name, i)
                last_key = None
                continue
            kv = _split_key_value(line)
            if kv is None or current is None:
                last_key = None
                continue
            last_key = [current[0], "key", kv[0], kv[1], i, 0]
            entries.append(last_key)
        if current is not None:
            sections.append((current[0], current[1], len(self.lines)))
        return sections, entries

    def get(self, section, key):
        """Effective value of key in section (last one wins), or None when unset."""
        _, entries = self._parse()
        found = None
        for sec, kind, k, value, _i, _n in entries:
            if sec == section and kind == "key" and k == key:
                found = value
        return found

    def set(self, section, key, value):
        """Sets key in section. Returns the previous effective value (None if unset); leaves the
        lines untouched when the key already has this value."""
        sections, entries = self._parse()
        active = [e for e in entries if e[0] == section and e[1] == "key" and e[2] == key]
        new_line = "%s = %s" % (key, value) if value != "" else "%s =" % key
        if active:
            last = active[-1]
            if last[3] == value:
                return last[3]
            index, ncont = last[4], last[5]
            # Keep the line ending of the replaced line (none when it was the unterminated last line).
            eol = _eol(self.lines[index + ncont])
            self.lines[index:index + ncont + 1] = [new_line + eol]
            return last[3]
        commented = [e for e in entries if e[0] == section and e[1] == "comment" and e[2] == key]
        if commented:
            self._insert(commented[-1][4] + 1, new_line)
            return None
        matching = [s for s in sections if s[0] == section]
        if matching:
            _name, header, end = matching[-1]
            at = header + 1
            for i in range(header + 1, end):
                if self.lines[i].strip():
                    at = i + 1
            self._insert(at, new_line)
            return None
        # Section missing: append it at the end of the file, after one blank line.
        if self.lines and not _eol(self.lines[-1]):
            self.lines[-1] += "\n"
        if self.lines and self.lines[-1].strip():
            self.lines.append("\n")
        self.lines.append("[%s]\n" % section)
        self.lines.append(new_line + "\n")
        return None

    def _insert(self, at, new_line):
        if at > 0 and not _eol(self.lines[at - 1]):
            self.lines[at - 1] += "\n"
        self.lines.insert(at, new_line + "\n")


def edit_text(text, settings):
    """Applies settings [(section, key, value)] to text. Returns (new_text, changes) where
    changes = [(section, key, old_or_None, new)] lists only keys whose value changed."""
    doc = IniDoc(text)
    changes = []
    for section, key, value in settings:
        old = doc.get(section, key)
        if old == value:
            continue
        doc.set(section, key, value)
        changes.append((section, key, old, value))
    return doc.text(), changes


# --------------------------------------------------------------------------------------------
# The push document.
# --------------------------------------------------------------------------------------------


def load_document(path):
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
    except (OSError, IOError, ValueError) as e:
        raise PushError("cannot read push document %s: %s" % (path, e))
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise PushError("%s is not a %s document (schema %r)" % (path, SCHEMA, doc.get("schema") if isinstance(doc, dict) else None))
    node = doc.get("node")
    if not isinstance(node, str) or not node:
        raise PushError("push document without a node name")
    if doc.get("serviceManager") not in SERVICE_MANAGERS:
        raise PushError("push %s: serviceManager must be one of %s" % (node, ", ".join(SERVICE_MANAGERS)))
    files = doc.get("files")
    services = doc.get("services")
    if not isinstance(files, list) or not isinstance(services, list):
        raise PushError("push %s: files and services must be lists" % node)
    names = set()
    for s in services:
        if not isinstance(s, dict) or not all(isinstance(s.get(k), str) and s.get(k) for k in ("name", "unit", "log")):
            raise PushError("push %s: every service needs name, unit and log" % node)
        names.add(s["name"])
    for f in files:
        if not isinstance(f, dict) or not isinstance(f.get("path"), str) or not os.path.isabs(f["path"]):
            raise PushError("push %s: every file needs an absolute path" % node)
        for s in f.get("services", []):
            if s not in names:
                raise PushError("push %s: %s names service %s, which is not in services" % (node, f["path"], s))
        for st in f.get("settings", []):
            section, key, value = st.get("section"), st.get("key"), st.get("value")
            if not isinstance(section, str) or not section or "]" in section or "\n" in section:
                raise PushError("push %s: %s: bad section %r" % (node, f["path"], section))
            if not isinstance(key, str) or not KEY_RE.match(key):
                raise PushError("push %s: %s [%s]: bad key %r" % (node, f["path"], section, key))
            if not isinstance(value, str) or "\n" in value or "\r" in value:
                raise PushError("push %s: %s [%s] %s: value must be a one-line string" % (node, f["path"], section, key))
    for k in ("settleSeconds", "apiTimeoutSeconds"):
        if not isinstance(doc.get(k), (int, float)) or doc.get(k) < 0:
            raise PushError("push %s: %s must be a number >= 0" % (node, k))
    return doc


# --------------------------------------------------------------------------------------------
# Files: backup and atomic write that keep owner, group and mode.
# --------------------------------------------------------------------------------------------


def utc_stamp():
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def write_owned(fd, path, data, st):
    """Writes bytes to the open fd (then closed) durably, and gives path the owner, group and mode
    of stat result st."""
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chown(path, st.st_uid, st.st_gid)
    os.chmod(path, st.st_mode & 0o7777)


def write_like(path, data, st):
    """Writes bytes to path atomically (temp file in the same directory, then rename) with the
    owner, group and mode of stat result st."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".dvr-lab-tmp", dir=directory)
    try:
        write_owned(fd, tmp, data, st)
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def make_backup(path, data, st, stamp):
    base = path + BACKUP_TAG + stamp
    candidate = base + ".bak"
    n = 1
    while os.path.exists(candidate):
        candidate = "%s-%d.bak" % (base, n)
        n += 1
    write_owned(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), candidate, data, st)
    return candidate


# --------------------------------------------------------------------------------------------
# Services.
# --------------------------------------------------------------------------------------------


def run(argv, timeout=COMMAND_TIMEOUT):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return 127, "", str(e)
    return p.returncode, p.stdout, p.stderr


class Manager(object):
    def __init__(self, kind):
        self.kind = kind

    def restart(self, unit):
        if self.kind == "kolla":
            return run(["docker", "restart", unit])
        return run(["systemctl", "restart", unit])

    def alive(self, unit):
        if self.kind == "kolla":
            rc, out, _ = run(["docker", "inspect", "-f", "{{.State.Running}}", unit], timeout=30)
            return rc == 0 and out.strip() == "true"
        rc, _, _ = run(["systemctl", "is-active", "--quiet", unit], timeout=30)
        return rc == 0


class LogMark(object):
    """Position of a log before a restart, to read only what was written after it."""

    def __init__(self, path):
        self.path = path
        try:
            st = os.stat(path)
            self.ino, self.size = st.st_ino, st.st_size
        except OSError:
            self.ino, self.size = None, 0

    def new_lines(self):
        try:
            st = os.stat(self.path)
        except OSError:
            return []
        start = self.size if (st.st_ino == self.ino and st.st_size >= self.size) else 0
        try:
            with open(self.path, "rb") as f:
                f.seek(start)
                data = f.read()
        except (OSError, IOError):
            return []
        return data.decode("utf-8", "replace").splitlines()

    def critical(self):
        for line in self.new_lines():
            if " CRITICAL " in line:
                return line.strip()
        return None

    def last_error(self):
        found = None
        for line in self.new_lines():
            if " ERROR " in line or " CRITICAL " in line:
                found = line.strip()
        return found


def url_answers(url):
    import urllib.error
    import urllib.request
    try:
        urllib.request.urlopen(url, timeout=5).close()
        return True
    except urllib.error.HTTPError:
        return True  # any HTTP response means the API is listening
    except Exception:  # noqa: BLE001 - connection refused, timeout, reset...
        return False


def restart_and_gate(manager, service, settle, api_timeout):
    """Restarts one service and waits for it to be healthy. Returns None when healthy, else a
    description of the failure (the CRITICAL log line when there is one)."""
    unit, log = service["unit"], service["log"]
    rc, out, err = manager.restart(unit)
    if rc != 0:
        detail = (err or out).strip().splitlines()
        return "restart command failed (rc %d)%s" % (rc, ": " + detail[-1] if detail else "")
    # The gate reads only what the log gets once the restart command has returned. The old process
    # is gone by then (systemd and docker wait for it), and its last words are not the new one's: an
    # agent stopped while it works logs CRITICAL as its privsep helpers die with it ("privsep
    # helper command exited non-zero (-15)"). The new process logs nothing before the command
    # returns: it still imports neutron.
    mark = LogMark(log)
    started = time.time()
    health_url = service.get("healthUrl")
    if health_url:
        while True:
            crit = mark.critical()
            if crit:
                return crit
            if not manager.alive(unit):
                return mark.critical() or "process not running after restart (%s)" % (mark.last_error() or "no CRITICAL line in " + log)
            if url_answers(health_url):
                break
            if time.time() - started > api_timeout:
                return "%s did not answer within %ds" % (health_url, api_timeout)
            time.sleep(1)
        started = time.time()
    # The settle time counts from the new process's first log line, not from the restart command:
    # on a loaded machine an agent may need longer than settleSeconds to import its code and read
    # its config, and would then die (CRITICAL) after a gate that had already passed. A service
    # that logs nothing within LOG_WAIT_SECONDS is judged by liveness alone from then on.
    settle_from = None
    while True:
        crit = mark.critical()
        if crit:
            return crit
        if not manager.alive(unit):
            time.sleep(POLL_SECONDS)  # let the dying process finish its log line
            return mark.critical() or "process not running after restart (%s)" % (mark.last_error() or "no CRITICAL line in " + log)
        now = time.time()
        if settle_from is None and (mark.new_lines() or now - started >= LOG_WAIT_SECONDS):
            settle_from = now
        if settle_from is not None and now - settle_from >= settle:
            return None
        time.sleep(POLL_SECONDS)


# --------------------------------------------------------------------------------------------
# The push.
# --------------------------------------------------------------------------------------------


def fmt(value):
    return "(unset)" if value is None else ("''" if value == "" else value)


def setting_text(change):
    path, section, key, _old, new = change
    return "%s [%s] %s" % (path, section, key) + (" = " + new if new != "" else " =")


def push(doc, dry_run=False, no_restart=False, out=sys.stdout):
    node = doc["node"]
    manager = Manager(doc["serviceManager"])
    say = lambda s: out.write(s + "\n")  # noqa: E731
    say("dvr-lab push %s (%s, %s, %s):" % (node, doc.get("role"), doc.get("release"), doc["serviceManager"]))

    # 1. Compute every edit before touching anything.
    planned = []  # (file entry, path, old bytes, new bytes, stat, changes)
    for f in doc["files"]:
        path = f["path"]
        try:
            st = os.stat(path)
            with open(path, "rb") as fh:
                old = fh.read()
        except (OSError, IOError) as e:
            raise PushError("dvr-lab push %s: cannot read %s: %s; nothing changed" % (node, path, e.strerror or e))
        try:
            text = old.decode("utf-8")
        except UnicodeDecodeError:
            raise PushError("dvr-lab push %s: %s is not UTF-8 text; nothing changed" % (node, path))
        settings = [(s["section"], s["key"], s["value"]) for s in f.get("settings", [])]
        new_text, changes = edit_text(text, settings)
        if changes:
            planned.append((f, path, old, new_text.encode("utf-8"), st, [(path,) + c for c in changes]))

    if not planned:
        say("  no change")
        return EXIT_OK
    for _f, _path, _old, _new, _st, changes in planned:
        for path, section, key, old, new in changes:
            say("  %s [%s] %s: %s -> %s" % (path, section, key, fmt(old), fmt(new)))
    restart = []
    changed_files = [p[0] for p in planned]
    for s in doc["services"]:
        if any(s["name"] in f.get("services", []) for f in changed_files):
            restart.append(s)
    if dry_run:
        say("  dry run: would restart %s" % (", ".join(s["name"] for s in restart) or "nothing"))
        return EXIT_OK

    # 2. Back up and write.
    stamp = utc_stamp()
    written = []  # (path, old bytes, stat, backup path)
    try:
        for _f, path, old, new, st, _changes in planned:
            # Edit the file a symlink points to (RDO's /etc/neutron/plugin.ini), keeping the link.
            target = os.path.realpath(path)
            backup = make_backup(target, old, st, stamp)
            written.append((target, old, st, backup))
            write_like(target, new, st)
            say("  backup %s" % backup)
    except (OSError, IOError) as e:
        restore(written)
        raise PushError("dvr-lab push %s: cannot write %s: %s; restored previous files" % (node, getattr(e, "filename", None) or "file", e.strerror or e))

    if no_restart:
        say("  --no-restart: files written, not restarted: %s" % (", ".join(s["name"] for s in restart) or "nothing"))
        return EXIT_OK

    # 3. Restart in order, gate on health, roll back on failure.
    settle = float(doc["settleSeconds"])
    api_timeout = float(doc["apiTimeoutSeconds"])
    done = []
    for s in restart:
        t0 = time.time()
        failure = restart_and_gate(manager, s, settle, api_timeout)
        if failure is None:
            done.append(s)
            say("  restarted %s (%s) in %.1fs; alive and no CRITICAL in %s for %gs" % (
                s["name"], s["unit"], time.time() - t0, s["log"], settle))
            continue
        culprit = [c for p in planned if s["name"] in p[0].get("services", []) for c in p[5]]
        named = [c for c in culprit if c[2] in failure] or culprit
        restore(written)
        say("  restored %s" % ", ".join(w[0] for w in written))
        again = []
        for r in done + [s]:
            f2 = restart_and_gate(manager, r, settle, api_timeout)
            again.append("%s %s" % (r["name"], "ok" if f2 is None else "FAILED: " + f2))
        say("  restarted again on the previous files: %s" % "; ".join(again))
        tail = "restored previous files"
        bad = [a for a in again if " FAILED: " in a]
        if bad:
            tail += "; restart on the previous files also failed: " + "; ".join(bad)
        raise PushError("dvr-lab push %s: %s failed after setting %s: %s; %s" % (
            node, s["name"], ", ".join(setting_text(c) for c in named), failure, tail))
    if not restart:
        say("  no service reads the changed files; nothing restarted")
    return EXIT_OK


def restore(written):
    for path, old, st, _backup in reversed(written):
        write_like(path, old, st)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = [a for a in argv[1:] if a.startswith("--")]
    unknown = [f for f in flags if f not in ("--dry-run", "--no-restart")]
    if len(args) != 1 or unknown:
        sys.stderr.write("usage: %s DESIRED.json [--dry-run | --no-restart]\n" % os.path.basename(argv[0]))
        return EXIT_BAD_INPUT
    try:
        doc = load_document(args[0])
    except PushError as e:
        msg = str(e)
        sys.stderr.write((msg if msg.startswith("dvr-lab push") else "dvr-lab push: " + msg) + "\n")
        return EXIT_BAD_INPUT
    try:
        sys.stdout.flush()
        return push(doc, dry_run="--dry-run" in flags, no_restart="--no-restart" in flags)
    except PushError as e:
        sys.stdout.flush()
        sys.stderr.write(str(e) + "\n")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv))
