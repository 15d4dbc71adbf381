#!/usr/bin/env python3
"""Peer test suites under libtrack: runs third-party test suites untracked
and tracked (LD_PRELOAD=libtrack.so into a private spool) on this machine and
compares the verdict (pass, fail, error, skip) of every single test.

  lt_peer.py [--quick] [--out FILE] LIBTRACK [SUITE ...]

SUITE is "cpython" (CPython's regression tests from Debian's
libpython3.11-testsuite, run by /usr/bin/python3 -m test) or "psutil"
(python3-psutil's own tests), optionally with ":name,name" to choose test
modules. Without SUITE: both, with the modules below (--quick: the short
subset CI runs as the ctest libtrack_peer). A test whose verdict differs is
run again, alone, untracked and tracked, twice: if its verdict then moves in
the untracked runs too it is reported as flaky, else as a difference.
Exit status: 0 when every verdict is equal, 1 otherwise, 77 when a suite is
not installed. --out writes the summary (the last full result is kept in
docs/libtrack.md, section "Peer test suites")."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

PY = "/usr/bin/python3"
SKIP = 77

CPYTHON_FULL = ["test_signal", "test_threadsignals", "test_threading", "test_subprocess",
                "test_fork1", "test_wait3", "test_wait4", "test_faulthandler", "test_os",
                "test_posix", "test_atexit", "test_pty", "test_resource"]
CPYTHON_QUICK = ["test_signal", "test_faulthandler", "test_atexit"]
PSUTIL_FULL = ["psutil.tests.test_process", "psutil.tests.test_posix", "psutil.tests.test_linux",
               "psutil.tests.test_system", "psutil.tests.test_misc", "psutil.tests.test_contracts",
               "psutil.tests.test_connections", "psutil.tests.test_unicode",
               "psutil.tests.test_testutils"]
PSUTIL_QUICK = ["psutil.tests.test_posix"]

# Runs inside the interpreter under test: a unittest result that records the
# verdict of every test, written as JSON.
UNITTEST_RUNNER = r"""
import json, sys, unittest
out, names = sys.argv[1], sys.argv[2:]
class R(unittest.TextTestResult):
    verdicts = {}
    def addSuccess(self, t): super().addSuccess(t); R.verdicts[t.id()] = "pass"
    def addFailure(self, t, e): super().addFailure(t, e); R.verdicts[t.id()] = "fail"
    def addError(self, t, e): super().addError(t, e); R.verdicts[t.id()] = "error"
    def addSkip(self, t, r): super().addSkip(t, r); R.verdicts[t.id()] = "skip"
    def addExpectedFailure(self, t, e): super().addExpectedFailure(t, e); R.verdicts[t.id()] = "xfail"
    def addUnexpectedSuccess(self, t): super().addUnexpectedSuccess(t); R.verdicts[t.id()] = "xpass"
suite = unittest.defaultTestLoader.loadTestsFromNames(names)
unittest.TextTestRunner(resultclass=R, verbosity=1, stream=sys.stderr).run(suite)
with open(out, "w") as f:
    json.dump(R.verdicts, f)
"""


class Env:
    def __init__(self, lib):
        self.dir = tempfile.mkdtemp(prefix="lt_peer.")
        os.chmod(self.dir, 0o755)
        self.spool = os.path.join(self.dir, "spool")
        os.mkdir(self.spool)
        os.chmod(self.spool, 0o1777)
        self.conf = os.path.join(self.dir, "track.conf")
        with open(self.conf, "w") as f:
            f.write("spool_dir = %s\n" % self.spool)
        self.lib = lib

    def env(self, tracked):
        e = {k: v for k, v in os.environ.items()
             if k not in ("LD_PRELOAD", "TRACK_DISABLE", "TRACK_RUN_UUID", "PYTHONPATH",
                          "PYTHONHOME", "VIRTUAL_ENV")}
        e["TRACK_CONFIG"] = self.conf
        e["LANG"] = e["LC_ALL"] = "C.UTF-8"
        e["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin"
        if tracked:
            e["LD_PRELOAD"] = self.lib
        return e

    def records(self):
        n = 0
        for d, dirs, names in os.walk(self.spool):
            n += sum(1 for x in names if x.startswith("run."))
        return n

    def clear(self):
        for e in os.listdir(self.spool):
            shutil.rmtree(os.path.join(self.spool, e), ignore_errors=True)


def junit_verdicts(path):
    out = {}
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return {"<junit>": "missing: %s" % e}
    for tc in root.iter("testcase"):
        tid = "%s.%s" % (tc.get("classname", ""), tc.get("name", ""))
        v = "pass"
        for child in tc:
            if child.tag in ("failure", "error", "skipped"):
                v = {"failure": "fail", "error": "error", "skipped": "skip"}[child.tag]
        out[tid] = v
    return out


def run_cpython(env, tracked, tests, tmp, tag):
    xml = os.path.join(tmp, "junit-%s.xml" % tag)
    cmd = [PY, "-m", "test", "--junit-xml", xml, "--timeout", "900"] + tests
    p = subprocess.run(cmd, env=env.env(tracked), cwd=tmp, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=3600)
    with open(os.path.join(tmp, "log-%s.txt" % tag), "wb") as f:
        f.write(p.stdout)
    v = junit_verdicts(xml)
    # A module that fails to import or crashes has no test cases: keep the
    # summary line of each module too.
    for m in re.finditer(rb"^(test_\w+) (failed|crashed|skipped)", p.stdout, re.M):
        v["<module>." + m.group(1).decode()] = m.group(2).decode()
    return v


def run_unittest(env, tracked, names, tmp, tag):
    out = os.path.join(tmp, "verdicts-%s.json" % tag)
    runner = os.path.join(tmp, "runner.py")
    with open(runner, "w") as f:
        f.write(UNITTEST_RUNNER)
    p = subprocess.run([PY, runner, out] + names, env=env.env(tracked), cwd=tmp,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=3600)
    with open(os.path.join(tmp, "log-%s.txt" % tag), "wb") as f:
        f.write(p.stdout)
    try:
        with open(out) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"<runner>": "no result: %s" % e}


def rerun_one(kind, env, tid, tmp, tracked):
    """Verdict of one test run alone."""
    if kind == "cpython":
        if tid.startswith("<module>."):
            mod, name = tid.split(".", 1)[1], None
        else:
            mod = tid.split(".")[1] if tid.startswith("test.") else tid.split(".")[0]
            name = tid
        args = [mod] + (["-m", tid.rsplit(".", 1)[1]] if name else [])
        v = run_cpython(env, tracked, args, tmp, "rerun")
        return v.get(tid, "absent") if name else ("failed" if any(
            x in ("fail", "error") for x in v.values()) else "ok")
    return run_unittest(env, tracked, [tid], tmp, "rerun").get(tid, "absent")


def compare(kind, env, untracked, tracked, tmp):
    diffs, flaky = [], []
    for tid in sorted(set(untracked) | set(tracked)):
        u, t = untracked.get(tid, "absent"), tracked.get(tid, "absent")
        if u == t:
            continue
        us = [rerun_one(kind, env, tid, tmp, False) for _ in range(2)]
        ts = [rerun_one(kind, env, tid, tmp, True) for _ in range(2)]
        line = "%s: untracked %s, tracked %s; alone untracked %s, tracked %s" % (
            tid, u, t, "/".join(us), "/".join(ts))
        if len(set(us + [u])) > 1 or len(set(ts + [t])) > 1:
            flaky.append(line)
        else:
            diffs.append(line)
    return diffs, flaky


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    args = [a for a in args if a != "--quick"]
    out = None
    if "--out" in args:
        i = args.index("--out")
        out = args[i + 1]
        del args[i:i + 2]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    lib, suites = args[0], args[1:] or ["cpython", "psutil"]
    if not os.access(PY, os.X_OK):
        print("no %s" % PY)
        return SKIP
    env = Env(os.path.abspath(lib))
    lines, status = [], 0
    try:
        for s in suites:
            kind, _, names = s.partition(":")
            if kind == "cpython":
                if not os.path.exists("/usr/lib/python3.11/test/test_signal.py"):
                    print("libpython3.11-testsuite is not installed")
                    return SKIP
                tests = names.split(",") if names else (CPYTHON_QUICK if quick else CPYTHON_FULL)
                run = run_cpython
            elif kind == "psutil":
                if subprocess.run([PY, "-c", "import psutil.tests"], capture_output=True).returncode:
                    print("python3-psutil (with its tests) is not installed")
                    return SKIP
                tests = names.split(",") if names else (PSUTIL_QUICK if quick else PSUTIL_FULL)
                run = run_unittest
            else:
                print("unknown suite %s" % s, file=sys.stderr)
                return 2
            tmp = tempfile.mkdtemp(prefix="run.", dir=env.dir)
            t0 = time.time()
            env.clear()
            u = run(env, False, tests, tmp, "untracked")
            t1 = time.time()
            t = run(env, True, tests, tmp, "tracked")
            t2 = time.time()
            nrec = env.records()
            counts = {}
            for v in u.values():
                counts[v] = counts.get(v, 0) + 1
            diffs, flaky = compare(kind, env, u, t, tmp)
            head = ("%s (%s): %d tests, untracked %s; %d differ, %d flaky; "
                    "%.0f s untracked, %.0f s tracked, %d records written" % (
                        kind, " ".join(t.replace("psutil.tests.", "") for t in tests), len(u),
                        ", ".join("%s %d" % kv for kv in sorted(counts.items())),
                        len(diffs), len(flaky), t1 - t0, t2 - t1, nrec))
            lines.append(head)
            lines += ["  DIFFERENT " + d for d in diffs]
            lines += ["  flaky " + d for d in flaky]
            if diffs or len(u) < 10 or nrec == 0:
                status = 1
                if len(u) < 10:
                    lines.append("  too few tests ran: see %s" % tmp)
                if nrec == 0:
                    lines.append("  no record written: was the run tracked?")
                shutil.copytree(tmp, "/tmp/lt_peer.failed.%s" % kind, dirs_exist_ok=True)
    finally:
        shutil.rmtree(env.dir, ignore_errors=True)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if out:
        with open(out, "w") as f:
            f.write(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
