#!/usr/bin/env python3
"""Integration tests of libtrack.so: real programs under LD_PRELOAD into a
private spool. One group per ctest test: lt_test.py GROUP (see GROUPS).

Every run is made twice, untracked and tracked, and must give byte-identical
stdout, stderr and exit status; every record found is checked (valid JSON,
UTF-8, required keys and types, file name agrees with content, mode 0600,
start/end pairs share run_uuid and identity). Environment from ctest:
LT_LIB (libtrack.so), LT_PROG, LT_SIG, LT_SECCOMP, LT_DSO, LT_STATIC, LT_PRELOAD_PREFIX
(sanitizer runtimes or ""). Exit 77 = skipped (ctest SKIP_RETURN_CODE)."""
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

LIB = os.environ["LT_LIB"]
PROG = os.environ.get("LT_PROG", "")
SIGPROG = os.environ.get("LT_SIG", "")
SECCOMP = os.environ.get("LT_SECCOMP", "")
REC_CHECK = os.environ.get("LT_REC_CHECK", "")
DSO = os.environ.get("LT_DSO", "")
STATIC = os.environ.get("LT_STATIC", "")
PREFIX = os.environ.get("LT_PRELOAD_PREFIX", "")
SKIP = 77
NOBODY = 65534

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HEX_RE = re.compile(r"^([0-9a-f]{2})*$")
NAME_RE = re.compile(r"^run\.([A-Za-z0-9_+@-]{1,64})\.(\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d_\d{4})\."
                     r"([A-Za-z0-9_+@-]{1,64})\.(aaa|zzz)\.([0-9a-f-]{36})\.json$")
PROG_SIG = "01234567-89ab-4def-8001-020304050607"
DSO_SIG = "fedcba98-7654-4d10-8011-223344556677"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


def component(s):
    """spool_name_component: the file-name form of syshost and user."""
    b = s.encode("utf-8", "surrogateescape")
    out = "".join(chr(c) if (chr(c).isascii() and (chr(c).isalnum() or chr(c) in "_+@-")) else "_"
                  for c in b)
    return out[:64] or "_"


def raw(s):
    """A decoded record string back to the bytes the process had."""
    return s.encode("utf-8", "surrogateescape")


class Lab:
    """A private spool, config and environment for one test group."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="lt_test.")
        os.chmod(self.dir, 0o755)  # the nobody runs must reach the spool
        self.root = os.path.join(self.dir, "spool")
        os.mkdir(self.root)
        os.chmod(self.root, 0o1777)
        self.confpath = os.path.join(self.dir, "track.conf")
        self.conf()
        self.max_bytes = 262144

    def conf(self, text="", root=None):
        with open(self.confpath, "w") as f:
            f.write("spool_dir = %s\n%s" % (root or self.root, text))
        os.chmod(self.confpath, 0o644)
        m = re.search(r"max_record_bytes\s*=\s*(\d+)", text)
        self.max_bytes = int(m.group(1)) if m else 262144

    def env(self, tracked, extra=None):
        e = {"PATH": "/usr/bin:/bin", "HOME": self.dir, "LANG": "C", "LC_ALL": "C",
             "TRACK_CONFIG": self.confpath,
             # Sanitizer builds: leaks are the program's business; let fatal
             # signals reach the program's (and libtrack's) own handling.
             "ASAN_OPTIONS": "detect_leaks=0:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:"
                             "handle_abort=0:allow_user_segv_handler=1",
             "UBSAN_OPTIONS": "halt_on_error=1"}
        if tracked:
            e["LD_PRELOAD"] = (PREFIX + ":" + LIB) if PREFIX else LIB
        for k, v in (extra or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        return e

    def run(self, argv, tracked=True, extra=None, user=None, timeout=60, ignore=(), fsize=None,
            block=()):
        def pre():
            import resource
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no cores from signal tests
            if fsize is not None:  # `ulimit -f`, in bytes
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
            for s in ignore:  # inherited SIG_IGN, as nohup leaves it
                signal.signal(s, signal.SIG_IGN)
            if block:  # an inherited signal mask
                signal.pthread_sigmask(signal.SIG_BLOCK, block)
            if user is not None:
                os.setgroups([])
                os.setgid(user)
                os.setuid(user)
        env = self.env(tracked, extra)
        return subprocess.run([os.fsencode(a) if isinstance(a, bytes) else a for a in argv],
                              env={k: v for k, v in env.items()}, cwd=self.dir,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              preexec_fn=pre, timeout=timeout)

    def compare(self, argv, extra=None, user=None, expect_rc=None, ignore=(), mask=None, **kw):
        """Runs untracked then tracked; outputs and status must be identical
        (after mask(bytes), for output that differs from run to run). kw:
        run()'s fsize and block."""
        self.clear()
        u = self.run(argv, tracked=False, extra=extra, user=user, ignore=ignore, **kw)
        self.clear()
        t = self.run(argv, tracked=True, extra=extra, user=user, ignore=ignore, **kw)
        what = " ".join(a if isinstance(a, str) else repr(a) for a in argv)[:120]
        m = mask or (lambda b: b)
        check(u.returncode == t.returncode,
              "%s: exit status %d tracked, %d untracked" % (what, t.returncode, u.returncode))
        check(m(u.stdout) == m(t.stdout), "%s: stdout differs: %r vs %r" % (what, t.stdout[:300], u.stdout[:300]))
        check(m(u.stderr) == m(t.stderr), "%s: stderr differs: %r vs %r" % (what, t.stderr[:300], u.stderr[:300]))
        if expect_rc is not None:
            check(t.returncode == expect_rc, "%s: exit status %d, expected %d" % (what, t.returncode, expect_rc))
        return t

    def clear(self):
        for e in os.listdir(self.root):
            p = os.path.join(self.root, e)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.unlink(p)

    def files(self):
        out = []
        for d, dirs, names in os.walk(self.root):
            out += [os.path.join(d, n) for n in names]
        return sorted(out)

    def records(self, uid=None, job="nojob", allow_temp=False):
        """Every record file, validated; returns the parsed records."""
        uid = os.getuid() if uid is None else uid
        recs = []
        for path in self.files():
            d, name = os.path.split(path)
            if allow_temp and name.startswith(".run.") and name.endswith(".tmp"):
                continue
            # A job directory's count of recorded runs (job_max_records):
            # one byte per run, written before its start record.
            if name == "tally.count" and d.startswith(os.path.join(self.root, str(uid)) + "/"):
                check(os.path.getsize(path) > 0, "%s: empty" % path)
                continue
            if not check(d == os.path.join(self.root, str(uid), job),
                         "%s: record in an unexpected directory" % path):
                continue
            recs.append(validate(path, name, uid, self.max_bytes))
            # The readers' own parser must accept what libtrack wrote.
            if REC_CHECK:
                p = subprocess.run([REC_CHECK, path], capture_output=True, text=True)
                check(p.returncode == 0, "rec_parse rejects %s: %s" % (name, p.stderr.strip()))
        return [r for r in recs if r is not None]


REQUIRED = {"schema": int, "kind": str, "run_uuid": str, "syshost": str, "host": str,
            "uid": int, "gid": int, "user": str, "pid": int, "ppid": int,
            "start_time": (int, float), "exe": dict, "cmdline": list, "cwd": str,
            "modules": list, "env": dict, "objects": list}
END_REQUIRED = {"end_time": (int, float), "run_time": (int, float), "utime": (int, float),
                "stime": (int, float), "maxrss_kb": int}


def check_object(o, where):
    ok = check(isinstance(o, dict) and all(isinstance(o.get(k), str) for k in
                                           ("path", "build_id", "signature")),
               "%s: object %r lacks path/build_id/signature strings" % (where, o))
    if ok:
        check(HEX_RE.match(o["build_id"]) is not None, "%s: build_id %r" % (where, o["build_id"]))
        check(o["signature"] == "" or UUID_RE.match(o["signature"]) is not None,
              "%s: signature %r" % (where, o["signature"]))


def validate(path, name, uid, max_bytes):
    st = os.lstat(path)
    check(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == uid,
          "%s: not a regular file 0600 owned by %d" % (path, uid))
    m = NAME_RE.match(name)
    if not check(m is not None, "%s: not a record file name" % name):
        return None
    data = open(path, "rb").read()
    check(len(data) <= max_bytes, "%s: %d bytes > max_record_bytes %d" % (name, len(data), max_bytes))
    try:
        r = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        fail("%s: not valid UTF-8 JSON: %s" % (name, e))
        return None
    if not check(isinstance(r, dict), "%s: not an object" % name):
        return None
    for k, t in REQUIRED.items():
        check(isinstance(r.get(k), t) and not isinstance(r.get(k), bool),
              "%s: key %s missing or not %s" % (name, k, t))
    check(r.get("schema") == 1, "%s: schema" % name)
    kind = r.get("kind")
    check(kind in ("start", "end") and {"start": "aaa", "end": "zzz"}[kind] == m.group(4),
          "%s: kind %r does not match the name" % (name, kind))
    check(UUID_RE.match(r.get("run_uuid", "")) is not None and r.get("run_uuid") == m.group(5),
          "%s: run_uuid %r does not match the name" % (name, r.get("run_uuid")))
    if "parent_uuid" in r:
        check(UUID_RE.match(r["parent_uuid"]) is not None, "%s: parent_uuid" % name)
    check(component(r.get("syshost", "")) == m.group(1), "%s: syshost differs from the name" % name)
    check(component(r.get("user", "")) == m.group(3), "%s: user differs from the name" % name)
    check(r.get("uid") == uid, "%s: uid %r, file owned by %d" % (name, r.get("uid"), uid))
    check(all(isinstance(a, str) for a in r.get("cmdline", [])), "%s: cmdline" % name)
    check(all(isinstance(v, str) for v in r.get("env", {}).values()), "%s: env" % name)
    exe = r.get("exe", {})
    check_object(exe, name + " exe")
    for o in r.get("objects", []):
        check_object(o, name)
        if isinstance(o, dict):
            p = o.get("path", "")
            b = os.path.basename(p)
            check(not b.startswith("libtrack") and "vdso" not in b, "%s: lists %s" % (name, p))
    if kind == "end":
        for k, t in END_REQUIRED.items():
            check(isinstance(r.get(k), t), "%s: end key %s missing" % (name, k))
        check(("exit_status" in r) != ("signal" in r), "%s: needs exactly one of exit_status/signal" % name)
        check(r.get("end_time", 0) >= r.get("start_time", 0), "%s: end before start" % name)
    if "truncated" in r:
        check(r["truncated"] is True, "%s: truncated must be true when present" % name)
    r["_name"] = name
    r["_size"] = len(data)
    return r


IDENTITY = ["run_uuid", "parent_uuid", "syshost", "host", "uid", "gid", "user", "pid", "ppid",
            "start_time", "exe", "cmdline", "cwd", "job", "mpi", "modules", "env"]


def runs(recs):
    """run_uuid -> {"start": rec, "end": rec}; checks pairs agree."""
    out = {}
    for r in recs:
        slot = out.setdefault(r["run_uuid"], {})
        check(r["kind"] not in slot, "two %s records for %s" % (r["kind"], r["run_uuid"]))
        slot[r["kind"]] = r
    for u, s in out.items():
        check("start" in s, "run %s has an end but no start" % u)
        if "start" in s and "end" in s:
            for k in IDENTITY:
                check(s["start"].get(k) == s["end"].get(k), "run %s: %s differs between start and end" % (u, k))
            check(s["start"]["_name"].split(".")[2] == s["end"]["_name"].split(".")[2],
                  "run %s: start and end names carry different dates" % u)
    return out


def by_exe(rs, suffix):
    return [s for s in rs.values() if "start" in s and s["start"]["exe"]["path"].endswith(suffix)]


def one(rs, suffix, what):
    found = by_exe(rs, suffix)
    check(len(found) == 1, "%s: %d runs of %s, expected 1" % (what, len(found), suffix))
    return found[0] if found else {}


def ended(run, what, status=None, sig=None):
    e = run.get("end")
    if not check(e is not None, "%s: no end record" % what):
        return
    if sig is not None:
        check(e.get("signal") == sig and "exit_status" not in e,
              "%s: end record signal %r, expected %d" % (what, e.get("signal"), sig))
    else:
        check(e.get("exit_status") == status and "signal" not in e,
              "%s: end record exit_status %r, expected %r" % (what, e.get("exit_status"), status))


def paths(objs):
    return [o["path"] for o in objs]


# ---------------------------------------------------------------- groups

def g_basic(lab):
    """/bin/true, false, ls, sh -c pipelines, exec chains."""
    lab.compare(["/bin/true"], expect_rc=0)
    rs = runs(lab.records())
    t = one(rs, "/true", "/bin/true")
    ended(t, "/bin/true", 0)
    if t:
        s = t["start"]
        check(s["cmdline"] == ["/bin/true"], "cmdline %r" % s["cmdline"])
        check(s["pid"] > 0 and s["ppid"] == os.getpid(), "pid/ppid %r/%r" % (s["pid"], s["ppid"]))
        check(HEX_RE.match(s["exe"]["build_id"]) and s["exe"]["build_id"], "no exe build_id")
        check(any("libc.so" in p for p in paths(s["objects"])), "libc missing from objects")
        check(all(o["build_id"] for o in s["objects"]), "an object without build_id: %r" % s["objects"])
        check(s["cwd"] == lab.dir, "cwd %r" % s["cwd"])
        check("job" not in s, "job key outside a job")
        check("parent_uuid" not in s, "parent_uuid without a tracked parent")
        check(s["_size"] <= 4096, "typical start record is %d bytes" % s["_size"])

    lab.compare(["/bin/false"], expect_rc=1)
    ended(one(runs(lab.records()), "/false", "/bin/false"), "/bin/false", 1)

    # A directory nothing else writes to: "ls -la /" would see /tmp's mtime
    # move under tests running in parallel.
    listing = os.path.join(lab.dir, "listing")
    os.makedirs(listing)
    for name, data in (("a.txt", "x"), ("b.bin", "\x00" * 100), (".hidden", "")):
        with open(os.path.join(listing, name), "w") as f:
            f.write(data)
    os.symlink("a.txt", os.path.join(listing, "link"))
    lab.compare(["ls", "-l", "--color=never", listing], expect_rc=0)
    ended(one(runs(lab.records()), "/ls", "ls"), "ls", 0)

    lab.compare(["/bin/sh", "-c", "ls / | sort -r | head -3; echo err >&2; exit 7"], expect_rc=7)
    rs = runs(lab.records())
    sh = one(rs, "/dash", "sh") or one(rs, "/bash", "sh")
    if sh:
        ended(sh, "sh -c pipeline", 7)
    for prog in ("/ls", "/sort", "/head"):
        r = one(rs, prog, "pipeline " + prog)
        ended(r, "pipeline " + prog, 0)
        if r and sh:
            check(r["start"].get("parent_uuid") == sh["start"]["run_uuid"],
                  "pipeline %s: parent_uuid is not the shell's run" % prog)
            check(r["start"]["ppid"] == sh["start"]["pid"], "pipeline %s: ppid" % prog)

    # exec chain: bash execs true: same pid, parent_uuid = bash's run, bash has no end
    lab.compare(["/bin/bash", "-c", "exec /bin/true x"], expect_rc=0)
    rs = runs(lab.records())
    b, t = one(rs, "/bash", "exec chain bash"), one(rs, "/true", "exec chain true")
    if b and t:
        check("end" not in b, "an exec'd image wrote an end record")
        check(t["start"].get("parent_uuid") == b["start"]["run_uuid"], "exec: parent_uuid")
        check(t["start"]["pid"] == b["start"]["pid"], "exec: pid differs")
        ended(t, "exec chain true", 0)


def g_paths(lab):
    """lt_prog: every way a process ends, and its children."""
    cases = [(["return", "5"], 5, None), (["exit", "6"], 6, None), (["exit", "256"], 0, None),
             (["thread-exit", "9"], 9, None),
             (["main-pthread-exit"], 0, None), (["closefds", "4"], 4, None),
             (["dup2-stderr", "2"], 2, None), (["fork"], 0, None),
             (["segv"], -signal.SIGSEGV, signal.SIGSEGV), (["bus"], -signal.SIGBUS, signal.SIGBUS),
             (["fpe"], -signal.SIGFPE, signal.SIGFPE), (["abort"], -signal.SIGABRT, signal.SIGABRT),
             (["term"], -signal.SIGTERM, signal.SIGTERM),
             (["kill-segv"], -signal.SIGSEGV, signal.SIGSEGV)]
    for args, rc, sig in cases:
        what = "lt_prog " + " ".join(args)
        lab.compare([PROG] + args, expect_rc=rc)
        rs = runs(lab.records())
        check(len(rs) == 1, "%s: %d runs recorded, expected 1" % (what, len(rs)))
        r = one(rs, "/lt_prog", what)
        if sig:
            ended(r, what, sig=sig)
        else:
            ended(r, what, rc)
        if r:
            check(r["start"]["exe"]["signature"] == PROG_SIG, "%s: exe signature %r" % (what, r["start"]["exe"]["signature"]))

    # Several threads calling exit() at once (undefined behaviour in C11):
    # glibc 2.36 lets a thread that finds the handler list empty _exit while
    # another still runs our hook, so the end record may be lost (a temp
    # dot-file may stay). Never two end records, never a changed status.
    for i in range(5):
        lab.compare([PROG, "concurrent-exit", "3"], expect_rc=3)
        recs = lab.records(allow_temp=True)
        check(len([r for r in recs if r["kind"] == "end"]) <= 1, "concurrent exit: two end records")
        check(len([r for r in recs if r["kind"] == "start"]) == 1, "concurrent exit: start records")

    # _exit is interposed (the shell on Debian ends that way): an end record
    # with the status, written the signal-safe way.
    lab.compare([PROG, "_exit", "7"], expect_rc=7)
    rs = runs(lab.records())
    r = one(rs, "/lt_prog", "_exit")
    ended(r, "lt_prog _exit", 7)

    # children: fork+exec, vfork+exec, posix_spawn, system
    for mode in ("fork-exec", "vfork-exec", "spawn"):
        lab.compare([PROG, mode, "/bin/sh", "-c", "exit 3"], expect_rc=3)
        rs = runs(lab.records())
        p, c = one(rs, "/lt_prog", mode), one(rs, "/dash", mode + " child")
        ended(p, mode, 3)
        ended(c, mode + " child (dash, ends with _exit)", 3)
        if p and c:
            check(c["start"].get("parent_uuid") == p["start"]["run_uuid"], "%s: parent_uuid" % mode)
            check(c["start"]["ppid"] == p["start"]["pid"], "%s: child's ppid" % mode)
    lab.compare([PROG, "system", "/bin/true"], expect_rc=0)
    rs = runs(lab.records())
    p, t = one(rs, "/lt_prog", "system"), one(rs, "/true", "system child")
    if p and t:
        check(t["start"].get("parent_uuid") in [s["start"]["run_uuid"] for s in rs.values()],
              "system: true's parent is not a tracked run")

    # exec without fork: same pid, a start but no end for lt_prog
    lab.compare([PROG, "exec", "/bin/true"], expect_rc=0)
    rs = runs(lab.records())
    p, t = one(rs, "/lt_prog", "exec"), one(rs, "/true", "exec'd true")
    if p and t:
        check("end" not in p, "exec: the replaced image wrote an end record")
        check(t["start"]["pid"] == p["start"]["pid"], "exec: pid changed")
        check(t["start"].get("parent_uuid") == p["start"]["run_uuid"], "exec: parent_uuid")
        ended(t, "exec'd true", 0)

    # clearenv: our state survives (end record); the child lost LD_PRELOAD
    lab.compare([PROG, "clearenv-spawn", "/bin/true"], expect_rc=0)
    rs = runs(lab.records())
    ended(one(rs, "/lt_prog", "clearenv"), "clearenv", 0)
    check(not by_exe(rs, "/true"), "clearenv: the child was tracked without LD_PRELOAD")

    # dlopen after start: in the end record's objects only, with its ids
    lab.compare([PROG, "dlopen", DSO], expect_rc=0)
    r = one(runs(lab.records()), "/lt_prog", "dlopen")
    if r and check("end" in r, "dlopen: no end record"):
        dso = os.path.basename(DSO)
        check(not any(dso in p for p in paths(r["start"]["objects"])), "dlopen: library in the start record")
        objs = [o for o in r["end"]["objects"] if dso in o["path"]]
        if check(len(objs) == 1, "dlopen: library not in the end record"):
            check(objs[0]["signature"] == DSO_SIG, "dlopen: signature %r" % objs[0]["signature"])
            check(len(objs[0]["build_id"]) >= 16, "dlopen: no build_id")

    fsize_cases(lab)


def fsize_cases(lab):
    """A file-size limit (`ulimit -f`) counts libtrack's record files too:
    past it the kernel raises SIGXFSZ, whose default action killed the
    program before main. The record is lost; the program never notices."""
    for limit in (0, 100):
        what = "ulimit -f %d bytes" % limit
        lab.compare([PROG, "return", "5"], expect_rc=5, fsize=limit)
        check(lab.files() == [] or all(os.path.basename(f) == "tally.count" for f in lab.files()),
              "%s: files left in the spool: %r" % (what, lab.files()))
        # blocked by the program: our write's SIGXFSZ must not stay pending
        t = lab.compare([PROG, "xfsz-pending", "3"], expect_rc=3, fsize=limit,
                        block=(signal.SIGXFSZ,))
        check(b"SIGXFSZ pending: 0" in t.stdout, "%s: %r" % (what, t.stdout))
        # ignored by the program: its writes fail with EFBIG, as ours do
        lab.compare([PROG, "return", "4"], expect_rc=4, fsize=limit, ignore=(signal.SIGXFSZ,))
    # a limit the records fit under: tracked as usual, and the program's own
    # write past it still ends it by SIGXFSZ, with the end record when the
    # signal is held (the handler writes under the same limit)
    out = os.path.join(lab.dir, "big.out")
    lab.compare([PROG, "return", "6"], expect_rc=6, fsize=65536)
    ended(one(runs(lab.records()), "/lt_prog", "ulimit -f 64 KiB"), "ulimit -f 64 KiB", 6)
    lab.conf("signals = SIGSEGV,SIGXFSZ\n")
    lab.compare([PROG, "write-past", out, "100"], expect_rc=-signal.SIGXFSZ, fsize=65536)
    ended(one(runs(lab.records()), "/lt_prog", "write-past"), "write past 64 KiB", sig=signal.SIGXFSZ)
    lab.conf()


def g_python(lab):
    py = "/usr/bin/python3"
    if not os.access(py, os.X_OK):
        print("no %s" % py)
        return SKIP
    lab.compare([py, "-c", "print('hello'); import sys; sys.exit(4)"], expect_rc=4)
    ended(one(runs(lab.records()), "python3.11", "python") or
          one(runs(lab.records()), "python3", "python"), "python exit", 4)
    lab.compare([py, "-c", "import _ctypes, _decimal; print(_decimal.Decimal(1) / 7)"], expect_rc=0)
    rs = runs(lab.records())
    check(len(rs) == 1, "python: %d runs" % len(rs))
    for r in rs.values():
        if check("end" in r, "python: no end record"):
            for mod in ("_ctypes", "_decimal"):
                check(not any(mod in p for p in paths(r["start"]["objects"])), "%s in the start record" % mod)
                check(any(mod in p for p in paths(r["end"]["objects"])), "%s not in the end record" % mod)
            ended(r, "python", 0)
    # Ctrl-C behaviour: Python still installs its KeyboardInterrupt handler
    lab.compare([py, "-c", "import signal; print(signal.getsignal(signal.SIGINT))"], expect_rc=0)


def g_bytes(lab):
    """Truncation (1 MB argv) and non-UTF-8 bytes round-tripping."""
    args = [b"\xff\xfe", "café".encode(), b"\xed\xa0\x80", b"ctl\x01\n\"\\", b"\xc3", b"ok"]
    lab.conf("env = LT_*\n")
    lab.compare([PROG.encode(), b"args"] + args, extra={"LT_BYTES": "x\udcffy", "LT_OK": "1"},
                expect_rc=0)
    r = one(runs(lab.records()), "/lt_prog", "bytes")
    if r:
        got = [raw(a) for a in r["start"]["cmdline"][2:]]
        check(got == args, "argv bytes did not round-trip: %r" % got)
        check(raw(r["start"]["env"].get("LT_BYTES", "")) == b"x\xffy", "env bytes: %r" % r["start"]["env"])
        check(sorted(r["start"]["env"]) == ["LT_BYTES", "LT_OK"], "env allow-list: %r" % r["start"]["env"])
        check("truncated" not in r["start"], "truncated without a reason")

    for maxb in (262144, 4096):
        lab.conf("max_record_bytes = %d\n" % maxb)
        big = ["%04d" % i + "a" * 3496 for i in range(300)]  # 1 MB of argv
        lab.compare([PROG, "args"] + big, expect_rc=0)
        r = one(runs(lab.records()), "/lt_prog", "1 MB argv")
        for kind in ("start", "end"):
            rec = r.get(kind)
            if check(rec is not None, "1 MB argv at %d: no %s record" % (maxb, kind)):
                check(rec.get("truncated") is True, "1 MB argv: %s not truncated" % kind)
                check(rec["_size"] <= maxb, "1 MB argv: %s is %d bytes" % (kind, rec["_size"]))
                n = len(rec["cmdline"])
                check(n >= 2 and rec["cmdline"] == ([PROG, "args"] + big)[:n], "1 MB argv: cmdline not a prefix")
    lab.conf()
    lab.compare([PROG, "args", "y" * 100000], expect_rc=0)
    r = one(runs(lab.records()), "/lt_prog", "100 KB arg")
    if r:
        check(r["start"]["cmdline"][2] == "y" * 4096, "a long argument is not cut at 4096 bytes")
        check(r["start"].get("truncated") is True, "cut argument without truncated")


def g_gate(lab):
    """TRACK_DISABLE, ranks, include/exclude, job, modules, env, debug, parents."""
    lab.compare(["/bin/true"], extra={"TRACK_DISABLE": "1"})
    check(not lab.files(), "TRACK_DISABLE=1 left records")

    lab.conf("exclude = /usr/bin/tr*, /nowhere\n")
    lab.compare(["/bin/true"])
    check(not lab.files(), "exclude: /usr/bin/true was tracked")
    lab.conf("include = /usr/bin/*\n")
    lab.compare([PROG, "return", "0"])
    check(not lab.files(), "include: lt_prog was tracked")
    lab.compare(["/bin/true"])
    check(len(lab.files()) == 2, "include: /usr/bin/true not tracked")
    lab.conf("include = /usr/bin/*\nexclude = /usr/bin/true\n")
    lab.compare(["/bin/true"])
    check(not lab.files(), "exclude must win over include")
    lab.conf()

    job = {"SLURM_JOB_ID": "4242", "SLURM_STEP_ID": "0", "SLURM_STEP_NUM_TASKS": "4",
           "SLURM_NTASKS": "8", "SLURM_PROCID": "1", "SLURM_JOB_PARTITION": "debug",
           "SLURM_JOB_ACCOUNT": "proj", "SLURM_STEP_NUM_NODES": "2", "SLURM_CPUS_PER_TASK": "3",
           "SLURM_ARRAY_JOB_ID": "4240", "SLURM_ARRAY_TASK_ID": "2", "SLURM_CLUSTER_NAME": "clusterx"}
    lab.compare(["/bin/true"], extra=job)
    check(not lab.files(), "rank 1 of a 4-task step was tracked")
    job["SLURM_PROCID"] = "0"
    lab.compare(["/bin/true"], extra=job)
    r = one(runs(lab.records(job="4242")), "/true", "rank 0")
    if r:
        want = {"scheduler": "slurm", "id": "4242", "step": "0", "array_id": "4240",
                "array_task": "2", "partition": "debug", "account": "proj", "num_nodes": 2,
                "num_tasks": 4, "cpus_per_task": 3, "rank": 0}
        check(r["start"].get("job") == want, "job object %r" % r["start"].get("job"))
        check(r["start"]["syshost"] == "clusterx", "syshost from SLURM_CLUSTER_NAME")
    lab.conf("ranks = all\nsyshost = confhost\n")
    job["SLURM_PROCID"] = "1"
    lab.compare(["/bin/true"], extra=job)
    r = one(runs(lab.records(job="4242")), "/true", "ranks = all")
    if r:
        check(r["start"]["job"]["rank"] == 1, "rank 1 under ranks = all")
        check(r["start"]["syshost"] == "confhost", "syshost from the config")
    lab.conf()
    lab.compare(["/bin/true"], extra={"SLURM_JOB_ID": "../../etc"})
    r = one(runs(lab.records(job="nojob")), "/true", "bad job id")
    if r:
        check(r["start"]["job"]["id"] == "../../etc", "job.id as given")

    lab.conf("env = MY_*, EXACT\n")
    lab.compare(["/bin/true"], extra={"LOADEDMODULES": "gcc/12.2:openmpi/4.1::cuda", "MY_A": "1",
                                      "MY_B": "two words", "EXACT": "e", "EXACTLY": "no",
                                      "USER": "alice smith"})
    r = one(runs(lab.records()), "/true", "modules/env")
    if r:
        s = r["start"]
        check(s["modules"] == ["gcc/12.2", "openmpi/4.1", "cuda"], "modules %r" % s["modules"])
        check(s["env"] == {"MY_A": "1", "MY_B": "two words", "EXACT": "e"}, "env %r" % s["env"])
        check(s["user"] == "alice smith" and ".alice_smith." in s["_name"], "user %r" % s["user"])
    lab.conf()

    # parent_uuid: only a canonical uuid is believed
    lab.compare(["/bin/true"], extra={"TRACK_RUN_UUID": "not-a-uuid"})
    r = one(runs(lab.records()), "/true", "bad parent")
    check(r and "parent_uuid" not in r["start"], "a bad TRACK_RUN_UUID became parent_uuid")
    good = "01234567-0123-7123-8123-0123456789ab"
    lab.compare(["/bin/true"], extra={"TRACK_RUN_UUID": good})
    r = one(runs(lab.records()), "/true", "good parent")
    check(r and r["start"].get("parent_uuid") == good, "TRACK_RUN_UUID not taken as parent")

    # TRACK_DEBUG: silent normally, one line per problem when asked
    lab.conf(root=os.path.join(lab.dir, "missing"))
    t = lab.compare(["/bin/true"])
    check(t.stderr == b"", "output without TRACK_DEBUG")
    t = lab.run(["/bin/true"], extra={"TRACK_DEBUG": "1"})
    lines = t.stderr.decode(errors="replace").splitlines()
    check(t.returncode == 0 and len(lines) == 1 and lines[0].startswith("track: ") and "missing" in lines[0],
          "TRACK_DEBUG: %r" % t.stderr)
    lab.conf()
    # A broken config: lenient, still tracked with what could be used
    lab.conf("no such key = 1\nmax_record_bytes = lots\nenv = MY_*\n")
    lab.compare(["/bin/true"], extra={"MY_X": "1"})
    r = one(runs(lab.records()), "/true", "lenient config")
    check(r and r["start"]["env"] == {"MY_X": "1"}, "lenient config not applied")
    lab.conf()


def hostile_cases(lab):
    """(name, setup) pairs; setup prepares lab.root's replacement."""
    uid = os.getuid()
    real = os.path.join(lab.dir, "real")

    def fresh_root(mode=0o1777, owner=0):
        if os.path.lexists(lab.root):
            if os.path.islink(lab.root):
                os.unlink(lab.root)
            else:
                shutil.rmtree(lab.root)
        os.mkdir(lab.root)
        os.chmod(lab.root, mode)
        os.chown(lab.root, owner, -1)

    def missing():
        shutil.rmtree(lab.root)

    def root_symlink():
        fresh_root()
        shutil.rmtree(lab.root)
        os.makedirs(real, exist_ok=True)
        os.chmod(real, 0o1777)
        os.symlink(real, lab.root)

    def not_sticky():
        fresh_root(0o777)

    def root_not_root():
        fresh_root(0o1777, NOBODY)

    def uid_dir_other():
        fresh_root()
        d = os.path.join(lab.root, str(uid))
        os.mkdir(d, 0o700)
        os.chown(d, NOBODY if uid != NOBODY else 0, -1)

    def uid_dir_symlink():
        fresh_root()
        os.makedirs(real, exist_ok=True)
        os.chmod(real, 0o700)
        os.symlink(real, os.path.join(lab.root, str(uid)))

    def uid_dir_open():
        fresh_root()
        d = os.path.join(lab.root, str(uid))
        os.mkdir(d)
        os.chmod(d, 0o755)

    def job_dir_symlink():
        fresh_root()
        d = os.path.join(lab.root, str(uid))
        os.mkdir(d, 0o700)
        os.makedirs(real, exist_ok=True)
        os.symlink(real, os.path.join(d, "nojob"))

    def root_is_file():
        fresh_root()
        shutil.rmtree(lab.root)
        open(lab.root, "w").close()

    return [("root missing", missing), ("root a symlink", root_symlink),
            ("root not sticky", not_sticky), ("root owned by non-root", root_not_root),
            ("uid dir owned by someone else", uid_dir_other), ("uid dir a symlink", uid_dir_symlink),
            ("uid dir open to others", uid_dir_open), ("job dir a symlink", job_dir_symlink),
            ("root a file", root_is_file)], fresh_root


def no_record_anywhere(lab, what):
    found = []
    for d, dirs, names in os.walk(lab.dir):
        found += [os.path.join(d, n) for n in names if n.startswith("run.") or n.startswith(".run.")]
    check(not found, "%s: records written: %r" % (what, found))


def hostile_run(lab, what):
    for argv in (["/bin/true"], [PROG, "exit", "3"], [PROG, "segv"]):
        t = lab.run(argv, tracked=False)
        u = lab.run(argv, tracked=True)
        w = "%s: %s" % (what, argv[-1])
        check(t.returncode == u.returncode and t.stdout == u.stdout and t.stderr == u.stderr,
              "%s: behaves differently tracked" % w)
        no_record_anywhere(lab, w)


def g_hostile(lab):
    if os.getuid() != 0:
        print("needs root (chown)")
        return SKIP
    cases, fresh_root = hostile_cases(lab)
    for what, setup in cases:
        setup()
        hostile_run(lab, what)
        if os.path.islink(lab.root) or os.path.isfile(lab.root):
            os.unlink(lab.root)
        fresh_root()
    # Read-only and full spools need a mount of their own.
    mnt = os.path.join(lab.dir, "mnt")
    os.mkdir(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=1777", "track-test", mnt],
                      stderr=subprocess.DEVNULL).returncode != 0:
        print("cannot mount tmpfs: read-only and full cases skipped")
        return
    try:
        lab.conf(root=mnt)
        # full: fill the 64k tmpfs, leaving no block
        uidd = os.path.join(mnt, str(os.getuid()))
        os.mkdir(uidd, 0o700)
        os.mkdir(os.path.join(uidd, "nojob"), 0o700)
        fd = os.open(os.path.join(mnt, "filler"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        os.close(fd)
        hostile_run(lab, "spool full")
        left = [n for n in os.listdir(os.path.join(uidd, "nojob"))]
        check(not left, "spool full: files left behind: %r" % left)
        os.unlink(os.path.join(mnt, "filler"))
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        hostile_run(lab, "spool read-only")
    finally:
        subprocess.run(["umount", mnt])
        lab.conf()


def g_nonroot(lab):
    """As an unprivileged user: own uid directory created, records written;
    the hostile cases that a user can meet; a setuid program."""
    if os.getuid() != 0:
        print("needs root to switch users")
        return SKIP
    for p in (LIB, PROG):
        d = os.path.dirname(p)
        while d != "/":
            if not os.stat(d).st_mode & 0o001:
                print("%s not reachable by uid %d: skipped" % (d, NOBODY))
                return SKIP
            d = os.path.dirname(d)
    lab.compare(["/bin/true"], user=NOBODY, expect_rc=0)
    rs = runs(lab.records(uid=NOBODY))
    r = one(rs, "/true", "nobody")
    ended(r, "nobody", 0)
    st = os.stat(os.path.join(lab.root, str(NOBODY)))
    check(st.st_uid == NOBODY and stat.S_IMODE(st.st_mode) == 0o700, "uid dir owner/mode")
    lab.compare([PROG, "spawn", "/bin/sh", "-c", "ls / >/dev/null; exit 2"], user=NOBODY, expect_rc=2)
    rs = runs(lab.records(uid=NOBODY))
    check(len(rs) == 3, "nobody: %d runs for lt_prog/sh/ls" % len(rs))

    # Someone else's uid directory (root made it for nobody's uid): no record
    lab.clear()
    d = os.path.join(lab.root, str(NOBODY))
    os.mkdir(d, 0o700)
    for argv in (["/bin/true"], [PROG, "exit", "3"]):
        u = lab.run(argv, tracked=False, user=NOBODY)
        t = lab.run(argv, tracked=True, user=NOBODY)
        check((u.returncode, u.stdout, u.stderr) == (t.returncode, t.stdout, t.stderr),
              "nobody, root-owned uid dir: behaves differently")
        no_record_anywhere(lab, "nobody, root-owned uid dir")
    # A read-only uid directory (mode 0500): creating the job dir fails
    os.chown(d, NOBODY, NOBODY)
    os.chmod(d, 0o500)
    u = lab.run(["/bin/true"], tracked=False, user=NOBODY)
    t = lab.run(["/bin/true"], tracked=True, user=NOBODY)
    check((u.returncode, u.stdout, u.stderr) == (t.returncode, t.stdout, t.stderr),
          "nobody, read-only uid dir: behaves differently")
    no_record_anywhere(lab, "nobody, read-only uid dir")
    os.chmod(d, 0o700)

    # setuid root program run by nobody: the loader ignores the preload and
    # libtrack's gate would refuse anyway (AT_SECURE); behaves as untracked
    sdir = os.path.join(lab.dir, "suid")
    os.mkdir(sdir, 0o755)
    suid = os.path.join(sdir, "id")
    shutil.copy("/usr/bin/id", suid)
    os.chown(suid, 0, 0)
    os.chmod(suid, 0o4755)
    lab.clear()
    lab.compare([suid, "-u"], user=NOBODY)
    lab.compare([suid, "-u"], user=NOBODY, extra={"LD_PRELOAD": LIB})
    no_record_anywhere(lab, "setuid program")


MPI_APP = r"""
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int r, s; MPI_Init(&argc, &argv); MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &s); printf("rank %d of %d\n", r, s); MPI_Finalize();
  return argc > 1 && r == 0 ? atoi(argv[1]) : 0; }
"""


def mpi_launch(lab, cc, launcher, extra, want_launcher, want_exe, rc):
    """Builds the MPI program with cc, runs launcher -n 2 on it tracked;
    the program must appear once, as MPI rank 0 of 2. Only rank 0 exits
    with rc: when a rank fails first, mpirun kills the others (rank 0's end
    record would then carry SIGTERM)."""
    app = os.path.join(lab.dir, "app_" + os.path.basename(cc))
    src = os.path.join(lab.dir, "app.c")
    with open(src, "w") as f:
        f.write(MPI_APP)
    b = subprocess.run([cc, "-o", app, src], capture_output=True, text=True)
    if not check(b.returncode == 0, "%s failed: %s" % (cc, b.stderr[-300:])):
        return
    lab.clear()
    p = lab.run(launcher + [app, str(rc)], extra=extra, timeout=120)
    what = " ".join(launcher)
    check(p.returncode == rc, "%s: exit status %d, expected %d: %r" % (what, p.returncode, rc, p.stderr[-300:]))
    check(sorted(p.stdout.split(b"\n")) == [b"", b"rank 0 of 2", b"rank 1 of 2"],
          "%s: output %r" % (what, p.stdout))
    rs = runs(lab.records(job=extra.get("SLURM_JOB_ID", "nojob")))
    r = one(rs, "/" + os.path.basename(app), what + ": the MPI program once per launch")
    if r:
        mpi = r["start"].get("mpi")
        check(mpi == {"launcher": want_launcher, "rank": 0, "size": 2}, "%s: mpi %r" % (what, mpi))
        ended(r, what, status=rc)
        if "SLURM_JOB_ID" in extra:
            job = r["start"].get("job", {})
            check(job.get("num_tasks") == 1 and job.get("rank") == 0 and job.get("alloc_cpus") == 2,
                  "%s: job %r (the batch step is one task of a 2-CPU job)" % (what, job))
    one(rs, want_exe, what + ": the launcher")


def g_mpi(lab):
    """Real MPI launchers: every rank gets the launcher's rank variables,
    and inside a batch script also SLURM_PROCID 0; only MPI rank 0 is
    tracked."""
    ompi = shutil.which("mpicc.openmpi") and shutil.which("mpirun.openmpi")
    mpich = shutil.which("mpicc.mpich") and shutil.which("mpiexec.mpich")
    if not ompi and not mpich:
        return SKIP
    batch = {"SLURM_JOB_ID": "4343", "SLURM_NTASKS": "2", "SLURM_PROCID": "0",
             "SLURM_JOB_CPUS_PER_NODE": "2", "SLURM_CPUS_ON_NODE": "2"}
    if ompi:
        # As root Open MPI wants both variables; a 2-CPU box needs no more.
        root_ok = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                   "OMPI_MCA_rmaps_base_oversubscribe": "1"}
        mpi_launch(lab, "mpicc.openmpi", ["mpirun.openmpi", "-np", "2"], dict(root_ok, **batch),
                   "openmpi", "/orterun", 3)
        mpi_launch(lab, "mpicc.openmpi", ["mpirun.openmpi", "-np", "2"], root_ok,
                   "openmpi", "/orterun", 0)
    if mpich:
        mpi_launch(lab, "mpicc.mpich", ["mpiexec.mpich", "-n", "2"], {}, "pmi", "/hydra_pmi_proxy", 0)
        mpi_launch(lab, "mpicc.mpich", ["mpiexec.mpich", "-n", "2"], batch, "pmi", "/mpiexec.hydra", 0)


def g_static(lab):
    if not STATIC:
        return SKIP
    lab.compare([STATIC], expect_rc=3)
    no_record_anywhere(lab, "static program")


# Signals every group case may touch: the default list plus SIGINT, SIGHUP,
# SIGUSR1 and SIGPIPE, so that save/restore of SIGINT is tested on a signal
# libtrack holds.
SIG_CONF = "signals = SIGSEGV,SIGBUS,SIGFPE,SIGILL,SIGABRT,SIGTERM,SIGXCPU,SIGINT,SIGHUP,SIGUSR1,SIGPIPE\n"

PY_GETSIGNAL = """
import signal
skip = (signal.SIGKILL, signal.SIGSTOP)
for s in sorted(signal.valid_signals()):
    if s not in skip:
        print(int(s), signal.getsignal(s))
"""

PY_SAVE_RESTORE = """
import os, signal
def h(signum, frame):
    print("caught", signum, flush=True)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGSEGV, signal.SIGHUP):
    old = signal.getsignal(s)
    print(s.name, "before", old)
    prev = signal.signal(s, h)
    print(s.name, "installed, previous", prev)
    os.kill(os.getpid(), s)
    back = signal.signal(s, old)
    print(s.name, "restored", signal.getsignal(s), "handler was ours:", back is h, flush=True)
os.kill(os.getpid(), signal.SIGTERM)
print("not reached")
"""

PY_FAULTHANDLER = """
import ctypes, faulthandler, signal
faulthandler.enable()
print("SIGSEGV", signal.getsignal(signal.SIGSEGV), flush=True)
ctypes.string_at(0)
"""

PY_IGNORED = """
import os, signal
print("SIGTERM", signal.getsignal(signal.SIGTERM), flush=True)
os.kill(os.getpid(), signal.SIGTERM)
print("alive after kill -TERM")
"""


def thread_ids(b):
    """faulthandler prints thread ids (addresses): equal only up to them."""
    return re.sub(rb"0x[0-9a-f]+", b"0x?", b)


def sig_case(lab, argv, rc, sig=None, status=None, what=None, exe="/lt_sig", end=True, **kw):
    what = what or " ".join(os.path.basename(a) for a in argv[:3])
    lab.compare(argv, expect_rc=rc, **kw)
    rs = runs(lab.records())
    r = one(rs, exe, what)
    if not end:
        check(r and "end" not in r, "%s: an end record, expected none" % what)
    elif sig is not None:
        ended(r, what, sig=sig)
    else:
        ended(r, what, status)
    return rs


def wait_and_kill(lab, argv, tracked, ignore):
    """Starts argv, waits for its "ready" line, sends SIGTERM from outside."""
    p = subprocess.Popen(argv, env=lab.env(tracked), cwd=lab.dir, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE,
                         preexec_fn=lambda: [signal.signal(s, signal.SIG_IGN) for s in ignore])
    first = p.stdout.readline()
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    return p.returncode, first + out, err


def g_signals(lab):
    """Dispositions look untouched: every libc call, inherited SIG_IGN,
    handler then SIG_DFL, fork, vfork, threads, stack overflow, exec, raw
    system calls; Python's signal module and faulthandler; shell traps."""
    if not SIGPROG:
        return SKIP
    lab.conf(SIG_CONF)
    T, SEGV = signal.SIGTERM, signal.SIGSEGV
    sig_case(lab, [SIGPROG, "query"], 0, status=0)
    for ign in ((T,), (T, signal.SIGINT, SEGV, signal.SIGHUP)):
        sig_case(lab, [SIGPROG, "query"], 0, status=0, ignore=ign, what="query, inherited SIG_IGN")
    for sg in (T, SEGV, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGABRT,
               signal.SIGPIPE):
        sig_case(lab, [SIGPROG, "calls", str(int(sg))], -sg, sig=sg, what="calls %s" % sg.name)
    # not in "signals": never held by libtrack, no end record
    sig_case(lab, [SIGPROG, "calls", str(int(signal.SIGUSR2))], -signal.SIGUSR2, end=False,
             what="calls SIGUSR2")
    for sg in (T, SEGV):
        sig_case(lab, [SIGPROG, "owns", str(int(sg))], 3, status=3, what="owns %s" % sg.name)
    # inherited SIG_IGN: kill -TERM from inside and from outside
    sig_case(lab, [SIGPROG, "ignored"], 0, status=0, ignore=(T,))
    for tracked in (False, True):
        lab.clear()
        got = wait_and_kill(lab, [SIGPROG, "wait"], tracked, (T,))
        check(got == (0, b"ready\nsurvived\n", b""),
              "SIGTERM ignored, kill -TERM from outside, tracked=%s: %r" % (tracked, got))
        if tracked:
            ended(one(runs(lab.records()), "/lt_sig", "wait"), "wait", 0)
    rs = sig_case(lab, [SIGPROG, "fork"], -T, sig=T)
    check(len(rs) == 1, "fork: %d runs, expected 1 (a fork child writes nothing)" % len(rs))
    rs = sig_case(lab, [SIGPROG, "vfork"], -T, sig=T)
    ended(one(rs, "/true", "vfork child"), "vfork child", 0)
    t = sig_case(lab, [SIGPROG, "threads"], -T, sig=T)
    sig_case(lab, [SIGPROG, "altstack"], -SEGV, sig=SEGV, what="stack overflow, alternate stack")
    # No alternate stack: the kernel cannot deliver, it kills (no record, no
    # hang). The sanitizer runtime gives every thread an alternate stack.
    if PREFIX:
        lab.compare([SIGPROG, "overflow"], expect_rc=-SEGV)
    else:
        sig_case(lab, [SIGPROG, "overflow"], -SEGV, end=False, what="stack overflow")
    lab.compare([SIGPROG, "exec", str(int(T))], expect_rc=0)
    imgs = sorted(by_exe(runs(lab.records()), "/lt_sig"), key=lambda r: "parent_uuid" in r["start"])
    if check(len(imgs) == 2, "exec: %d images, expected 2" % len(imgs)):
        check("end" not in imgs[0], "exec: the replaced image wrote an end record")
        ended(imgs[1], "exec'd image", 0)
    # A raw rt_sigaction bypasses libc: the program's SIG_DFL is real, no record.
    sig_case(lab, [SIGPROG, "raw-dfl"], -T, end=False, what="raw rt_sigaction")

    py = "/usr/bin/python3"
    if os.access(py, os.X_OK):
        sig_case(lab, [py, "-c", PY_GETSIGNAL], 0, status=0, exe="python3.11", what="getsignal")
        sig_case(lab, [py, "-c", PY_GETSIGNAL], 0, status=0, exe="python3.11",
                 ignore=(T, signal.SIGINT, signal.SIGHUP), what="getsignal, inherited SIG_IGN")
        sig_case(lab, [py, "-c", PY_SAVE_RESTORE], -T, sig=T, exe="python3.11", what="save/restore")
        sig_case(lab, [py, "-c", PY_FAULTHANDLER], -SEGV, sig=SEGV, exe="python3.11",
                 mask=thread_ids, what="faulthandler")
        t = lab.run([py, "-c", PY_FAULTHANDLER])
        check(b"Fatal Python error: Segmentation fault" in t.stderr and b"most recent call first" in t.stderr,
              "faulthandler: no traceback tracked: %r" % t.stderr[:300])
        sig_case(lab, [py, "-c", PY_IGNORED], 0, status=0, exe="python3.11", ignore=(T,),
                 what="python, SIGTERM ignored")

    # shells: trap installs a handler; "trap -" puts SIG_DFL back
    sig_case(lab, ["/bin/sh", "-c", 'trap "echo caught TERM; exit 3" TERM; kill -TERM $$; echo no'],
             3, status=3, exe="/dash", what="dash trap")
    sig_case(lab, ["/bin/bash", "-c", 'trap "echo caught TERM" TERM; kill -TERM $$; trap -p; '
                   'trap - TERM; trap -p; echo reset; kill -TERM $$; echo no'],
             -T, sig=T, exe="/bash", what="bash trap, trap -")
    sig_case(lab, ["/bin/bash", "-c", 'trap -p; trap "" TERM; kill -TERM $$; echo ignored'],
             0, status=0, exe="/bash", what="bash trap ''")
    lab.conf()



def g_sandbox(lab):
    """Programs that install a seccomp filter (lt_seccomp): one that kills
    or traps openat must not die at exit because libtrack writes its end
    record. Such a run keeps its start record and has no end; a probe that
    installs nothing keeps the end record; prctl behaves as libc's."""
    for how in ("kill", "trap", "errno", "libseccomp", "syscall", "syscall-prctl"):
        for end, rc in (("exit", 3), ("_exit", 4), ("segv", -signal.SIGSEGV)):
            what = "lt_seccomp %s %s" % (how, end)
            lab.compare([SECCOMP, how, end, str(rc)], expect_rc=rc)
            r = one(runs(lab.records()), "/lt_seccomp", what)
            check(r and "end" not in r, "%s: an end record in a sandboxed process" % what)
    # a filter that forbids every call libtrack makes at the end, even
    # getpid: nothing of ours runs after it (a fault dies at once, with no
    # handler of ours left in the kernel)
    for end, rc in (("exit", 3), ("_exit", 4), ("fault", -signal.SIGSEGV), ("term", -signal.SIGTERM)):
        what = "lt_seccomp strict %s" % end
        # the fault: a store to address 16 (a NULL store is UBSan's to report)
        lab.compare([SECCOMP, "strict", end, str(rc) if rc > 0 else "16"], expect_rc=rc)
        r = one(runs(lab.records()), "/lt_seccomp", what)
        check(r and "end" not in r, "%s: an end record in a sandboxed process" % what)
    lab.compare([SECCOMP, "probe", "exit", "5"], expect_rc=5)
    ended(one(runs(lab.records()), "/lt_seccomp", "probe"), "lt_seccomp probe", 5)
    t = lab.compare([SECCOMP, "syscall-probe", "exit", "7"], expect_rc=7)
    check(b"probe: -1 Bad address" in t.stdout, "syscall probe: %r" % t.stdout)
    ended(one(runs(lab.records()), "/lt_seccomp", "syscall-probe"), "lt_seccomp syscall-probe", 7)
    # syscall() without a filter: libtrack's interposer passes every call on
    t = lab.compare([SECCOMP, "syscall-calls", "exit", "8"], expect_rc=8)
    check(b"getpid: 1, errno kept: 1" in t.stdout and b"unknown: -1 Function not implemented" in t.stdout
          and b"action avail: 0 0" in t.stdout and b"six arguments: 3 six" in t.stdout
          and b"sixth argument 1: -1 Invalid argument" in t.stdout, "syscall calls: %r" % t.stdout)
    ended(one(runs(lab.records()), "/lt_seccomp", "syscall-calls"), "lt_seccomp syscall-calls", 8)
    t = lab.compare([SECCOMP, "prctl-calls", "exit", "6"], expect_rc=6)
    check(b"get name: 0 lt-named" in t.stdout and b"unknown option: -1 Invalid argument" in t.stdout,
          "prctl calls: %r" % t.stdout)
    ended(one(runs(lab.records()), "/lt_seccomp", "prctl-calls"), "lt_seccomp prctl-calls", 6)
    return 0


def exe_case(lab, argv, what, user=None):
    """argv prints its own /proc/self/exe: its record's executable must say
    the same (lt_exe.c finds it without /proc where it can)."""
    t = lab.compare(argv, user=user, expect_rc=0)
    want = t.stdout.rstrip(b"\n")
    rs = runs(lab.records(uid=user))
    got = [raw(r["start"]["exe"]["path"]) for r in rs.values() if "start" in r]
    check(got == [want], "exe %s: recorded %r, /proc/self/exe %r" % (what, got, want))


def g_exe(lab):
    """The executable's path in the record, however the program was named
    when it was started: links to it and to its directories, relative
    paths, '.', '..', '//', odd bytes, a script, the loader as the command,
    a binary the user may run but not read."""
    rl = os.path.realpath("/usr/bin/readlink")
    d = lab.dir
    os.makedirs(os.path.join(d, "real", "bin"))
    copy = os.path.join(d, "real", "bin", "rl")
    shutil.copy(rl, copy)
    os.symlink("real/bin/rl", os.path.join(d, "rel"))
    os.symlink(copy, os.path.join(d, "abs"))
    os.symlink("rel", os.path.join(d, "chain"))
    os.symlink("real/bin", os.path.join(d, "dirlink"))
    odd = os.path.join(os.fsencode(d), b"odd \xff dir")
    os.mkdir(odd)
    shutil.copy(rl, os.path.join(odd, b"rl"))
    me = "/proc/self/exe"
    for argv, what in (([rl, me], "plain"), (["/bin/readlink", me], "through /bin -> usr/bin"),
                       ([copy, me], "a copy"), ([os.path.join(d, "rel"), me], "relative link"),
                       ([os.path.join(d, "abs"), me], "absolute link"),
                       ([os.path.join(d, "chain"), me], "chain of links"),
                       ([os.path.join(d, "dirlink", "rl"), me], "link to its directory"),
                       ([os.path.join(d, "dirlink", "..", "bin", "rl"), me], "'..' after a link"),
                       (["./rel", me], "relative to the working directory"),
                       (["real//bin/./rl", me], "'//' and '.'"),
                       ([os.path.join(odd, b"rl"), me], "odd bytes")):
        exe_case(lab, argv, what)
    # on tmpfs (device major 0, as NFS and Lustre): /proc answers, the same
    shm = tempfile.mkdtemp(prefix="lt_exe.", dir="/dev/shm")
    try:
        os.chmod(shm, 0o755)
        shutil.copy(rl, os.path.join(shm, "rl"))
        exe_case(lab, [os.path.join(shm, "rl"), me], "on tmpfs")
    finally:
        shutil.rmtree(shm, ignore_errors=True)

    # the loader as the command: /proc/self/exe names the loader
    m = re.search(r"interpreter: ([^\]]+)\]", subprocess.run(["readelf", "-l", rl], capture_output=True,
                                                             text=True).stdout)
    if check(m, "no interpreter in %s" % rl):
        exe_case(lab, [m.group(1), rl, me], "the loader run as the command")

    # a script: the interpreter is the executable, never the script
    script = os.path.join(d, "script.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nreadlink /proc/$$/exe\n")
    os.chmod(script, 0o755)
    t = lab.compare([script], expect_rc=0)
    sh = t.stdout.rstrip(b"\n")
    got = sorted(raw(r["start"]["exe"]["path"]) for r in runs(lab.records()).values() if "start" in r)
    check(got == sorted([sh, rl.encode()]), "script: recorded %r, expected the shell %r and readlink" % (got, sh))

    # execute-only for a user who cannot read it (/proc answers)
    if os.getuid() == 0:
        xd = os.path.join(d, "xonly")
        os.mkdir(xd, 0o711)
        shutil.copy(rl, os.path.join(xd, "rl"))
        os.chmod(xd, 0o711)
        os.chmod(os.path.join(xd, "rl"), 0o711)
        exe_case(lab, [os.path.join(xd, "rl"), me], "execute-only, another user", user=65534)


GROUPS = {"basic": g_basic, "paths": g_paths, "python": g_python, "bytes": g_bytes,
          "gate": g_gate, "mpi": g_mpi, "hostile": g_hostile, "nonroot": g_nonroot, "static": g_static,
          "signals": g_signals, "sandbox": g_sandbox, "exe": g_exe}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in GROUPS:
        print("usage: lt_test.py {%s}" % "|".join(GROUPS), file=sys.stderr)
        return 2
    lab = Lab()
    try:
        rc = GROUPS[sys.argv[1]](lab)
    finally:
        subprocess.run(["umount", os.path.join(lab.dir, "mnt")], stderr=subprocess.DEVNULL)
        shutil.rmtree(lab.dir, ignore_errors=True)
    if rc == SKIP:
        print("skipped")
        return SKIP
    if failures:
        print("%d failure(s)" % len(failures), file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
