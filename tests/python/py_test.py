#!/usr/bin/env python3
"""Tests of the Python package hook (docs/python.md): real interpreters
(Debian's /usr/bin/python3 with python3-numpy and python3-yaml) under
LD_PRELOAD=libtrack.so into a private spool, the hook enabled through
PYTHONPATH (sitecustomize) or a .pth in a venv.

Every program runs three ways: untracked, tracked without the hook, tracked
with it; stdout, stderr and exit status must be byte-identical. Every
package record is read back by the tools' parser (rec_check) and checked.
Usage: py_test.py GROUP (records gate venv exit hostile). Environment from
ctest: PY_LIB (libtrack.so), PY_HOOK (the build's python/ directory),
PY_REC_CHECK, PY_PRELOAD_PREFIX. Exit 77 = skipped."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

LIB = os.environ["PY_LIB"]
HOOK = os.environ["PY_HOOK"]
REC_CHECK = os.environ["PY_REC_CHECK"]
PREFIX = os.environ.get("PY_PRELOAD_PREFIX", "")
PY = "/usr/bin/python3"
SKIP = 77
PKG_RE = re.compile(r"^pkg\.([A-Za-z0-9_+@-]{1,64})\.(\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d_\d{4})\."
                    r"([A-Za-z0-9_+@-]{1,64})\.([0-9a-f-]{36})\.json$")
RUN_RE = re.compile(r"^run\..*\.(aaa|zzz)\.([0-9a-f-]{36})\.json$")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


class Lab:
    """A private spool and config."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="py_test.")
        os.chmod(self.dir, 0o755)
        self.root = os.path.join(self.dir, "spool")
        os.mkdir(self.root)
        os.chmod(self.root, 0o1777)
        self.confpath = os.path.join(self.dir, "track.conf")
        self.conf()

    def conf(self, text=""):
        with open(self.confpath, "w") as f:
            f.write("spool_dir = %s\n%s" % (self.root, text))

    def clear(self):
        shutil.rmtree(self.root)
        os.mkdir(self.root)
        os.chmod(self.root, 0o1777)

    def env(self, tracked, hook, extra=None):
        e = {"PATH": "/usr/bin:/bin", "HOME": self.dir, "LANG": "C.UTF-8",
             "TRACK_CONFIG": self.confpath, "PYTHONDONTWRITEBYTECODE": "1",
             "ASAN_OPTIONS": "detect_leaks=0:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:"
                             "handle_abort=0:allow_user_segv_handler=1"}
        if tracked:
            e["LD_PRELOAD"] = (PREFIX + ":" + LIB) if PREFIX else LIB
        if hook:
            e["PYTHONPATH"] = HOOK
        for k, v in (extra or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        return e

    def run(self, argv, tracked=True, hook=True, extra=None, cwd=None):
        return subprocess.run(argv, env=self.env(tracked, hook, extra), cwd=cwd or self.dir,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)

    def files(self):
        out = []
        for d, _, names in os.walk(self.root):
            out += [os.path.join(d, n) for n in names]
        return sorted(out)

    def pkg_records(self):
        return [f for f in self.files() if os.path.basename(f).startswith("pkg.")]

    def run_uuids(self):
        return {RUN_RE.match(os.path.basename(f)).group(2) for f in self.files()
                if RUN_RE.match(os.path.basename(f))}

    def compare(self, argv, what, extra=None, expect_rc=None, cwd=None, hook_env=None):
        """Untracked, tracked without the hook, tracked with it: identical
        output and status. Leaves the spool holding the last run's records."""
        base = self.run(argv, tracked=False, hook=False, extra=extra, cwd=cwd)
        self.clear()
        plain = self.run(argv, tracked=True, hook=False, extra=extra, cwd=cwd)
        check(not self.pkg_records(), "%s: a package record without the hook" % what)
        self.clear()
        hooked = self.run(argv, tracked=True, hook=hook_env is None,
                          extra=dict(extra or {}, **(hook_env or {})), cwd=cwd)
        def same(a, b):   # object addresses differ from run to run
            return re.sub(rb"0x[0-9a-f]+", b"0x?", a) == re.sub(rb"0x[0-9a-f]+", b"0x?", b)
        for name, r in (("tracked", plain), ("tracked with the hook", hooked)):
            check(r.returncode == base.returncode, "%s: exit %d %s, %d untracked"
                  % (what, r.returncode, name, base.returncode))
            check(same(r.stdout, base.stdout), "%s: stdout differs %s: %r vs %r"
                  % (what, name, r.stdout[:300], base.stdout[:300]))
            check(same(r.stderr, base.stderr), "%s: stderr differs %s: %r vs %r"
                  % (what, name, r.stderr[:600], base.stderr[:600]))
        if expect_rc is not None:
            check(base.returncode == expect_rc, "%s: exit %d, expected %d"
                  % (what, base.returncode, expect_rc))
        return hooked

    def record(self, what, max_bytes=262144):
        """The one package record in the spool, checked; its JSON or None."""
        recs = self.pkg_records()
        if not check(len(recs) == 1, "%s: %d package records, expected 1" % (what, len(recs))):
            return None
        path = recs[0]
        m = PKG_RE.match(os.path.basename(path))
        check(m is not None, "%s: bad name %s" % (what, path))
        st = os.stat(path)
        check(st.st_mode & 0o777 == 0o600, "%s: mode %o" % (what, st.st_mode & 0o777))
        check(st.st_size <= max_bytes, "%s: %d bytes > %d" % (what, st.st_size, max_bytes))
        r = subprocess.run([REC_CHECK, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(r.returncode == 0, "%s: rec_check rejects it: %s" % (what, r.stderr.decode()))
        with open(path, "rb") as f:
            data = f.read()
        rec = json.loads(data)
        check(rec["kind"] == "packages" and rec["schema"] == 1, "%s: kind/schema" % what)
        check(m and rec["run_uuid"] == m.group(4), "%s: name and run_uuid differ" % what)
        check(rec["run_uuid"] in self.run_uuids(),
              "%s: run_uuid %s is no run's in the spool" % (what, rec["run_uuid"]))
        return rec


def pkgmap(rec):
    return {p["name"]: p for p in rec["packages"]} if rec else {}


def debian_version(pkg):
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                          stdout=subprocess.PIPE).stdout.decode()


# ---- groups ------------------------------------------------------------------

def g_records(lab):
    """numpy and PyYAML from Debian, identical output, one record."""
    prog = ("import numpy, yaml, sys\n"
            "print(numpy.arange(6).reshape(2, 3).sum(), yaml.safe_dump({'a': [1, 2]}).strip())\n"
            "print('err', file=sys.stderr)\n")
    lab.compare([PY, "-c", prog], "numpy+yaml", expect_rc=0)
    rec = lab.record("numpy+yaml")
    if not rec:
        return
    pk = pkgmap(rec)
    import numpy  # noqa: the versions Debian installed, as this interpreter sees them
    check("numpy" in pk and pk["numpy"]["version"] == numpy.__version__ and
          pk["numpy"]["source"] == "system" and pk["numpy"]["modules"] == ["numpy"],
          "numpy: %r" % pk.get("numpy"))
    check("PyYAML" in pk and pk["PyYAML"]["version"] == debian_version("python3-yaml").split("-")[0]
          and pk["PyYAML"]["source"] == "system" and "yaml" in pk["PyYAML"]["modules"],
          "PyYAML: %r" % pk.get("PyYAML"))
    check(set(pk) == {"numpy", "PyYAML"}, "unexpected packages: %r" % sorted(pk))
    py = rec["python"]
    check(py["version"] == "%d.%d.%d" % sys.version_info[:3] and py["implementation"] == "cpython"
          and py["executable"] == PY and py["environment"] == "system",
          "python: %r" % py)
    check(rec["pid"] > 0 and rec["uid"] == os.getuid() and "job" not in rec,
          "identity: %r" % {k: rec.get(k) for k in ("pid", "uid", "job")})

    # A program importing many stdlib modules: no distribution.
    stdlib = ("import " + ", ".join(
        ["os", "re", "json", "csv", "email", "http.client", "xml.dom.minidom", "sqlite3",
         "decimal", "fractions", "asyncio", "logging", "argparse", "subprocess", "threading",
         "multiprocessing", "collections", "itertools", "functools", "hashlib", "ssl", "socket",
         "urllib.request", "zipfile", "tarfile", "gzip", "bz2", "lzma", "unittest", "pathlib",
         "datetime", "calendar", "statistics", "random", "uuid", "ctypes", "curses", "pickle",
         "shelve", "dbm", "tkinter" if os.path.exists("/usr/lib/python3.11/tkinter") else "cmd",
         "difflib", "textwrap", "pprint", "inspect", "dis", "ast", "tokenize", "typing"]) +
        "\nprint(len(__import__('sys').modules) > 100)\n")
    lab.compare([PY, "-c", stdlib], "stdlib", expect_rc=0)
    rec = lab.record("stdlib")
    check(rec is not None and rec["packages"] == [], "stdlib: packages %r" % (rec or {}).get("packages"))

    # In a job: the job object, the job directory.
    lab.compare([PY, "-c", "import yaml"], "job", extra={"SLURM_JOB_ID": "4242",
                                                          "SLURM_JOB_PARTITION": "debug"})
    rec = lab.record("job")
    check(rec is not None and rec.get("job", {}).get("id") == "4242" and
          rec["job"].get("partition") == "debug", "job: %r" % (rec or {}).get("job"))
    check(all("/4242/" in f for f in lab.pkg_records()), "job: not in the job directory")


def g_gate(lab):
    """The hook writes only for a process libtrack tracks."""
    prog = [PY, "-c", "import yaml"]
    # TRACK_RUN_UUID set by hand, no libtrack: nothing.
    lab.clear()
    r = lab.run(prog, tracked=False, extra={"TRACK_RUN_UUID": "01234567-89ab-7def-8001-020304050607"})
    check(r.returncode == 0 and not lab.files(), "hand-set TRACK_RUN_UUID: %r" % lab.files())
    # libtrack loaded, TRACK_DISABLE: nothing.
    lab.clear()
    lab.run(prog, extra={"TRACK_DISABLE": "1"})
    check(not lab.files(), "TRACK_DISABLE: %r" % lab.files())
    # python excluded, its tracked parent's TRACK_RUN_UUID inherited: no record
    # (it would be credited to the shell's run).
    lab.conf("exclude = /usr/bin/python3*\n")
    lab.clear()
    lab.run(["/bin/bash", "-c", "/usr/bin/python3 -c 'import yaml'; true"])
    check(len(lab.run_uuids()) == 1 and not lab.pkg_records(),
          "excluded python under a tracked shell: %r" % lab.files())
    # exec of an excluded python from a tracked shell: same pid as the shell's run.
    lab.clear()
    lab.run(["/bin/bash", "-c", "exec /usr/bin/python3 -c 'import yaml'"])
    check(len(lab.run_uuids()) == 1 and not lab.pkg_records(),
          "exec of an excluded python: %r" % lab.files())
    lab.conf()
    # A tracked python under a tracked shell: its own run.
    lab.clear()
    lab.run(["/bin/bash", "-c", "/usr/bin/python3 -c 'import yaml'; true"])
    rec = lab.record("python under a shell")
    # os.fork: the child runs the parent's atexit list; only the parent writes.
    fork = ("import os, sys, yaml\n"
            "pid = os.fork()\n"
            "if pid == 0:\n    import numpy\n    sys.exit(0)\n"
            "os.waitpid(pid, 0)\nprint('parent')\n")
    lab.compare([PY, "-c", fork], "fork", expect_rc=0)
    rec = lab.record("fork")
    check(rec is not None and set(pkgmap(rec)) == {"PyYAML"}, "fork: %r" % pkgmap(rec))
    # Python starting Python: one record per tracked interpreter, each its own run.
    lab.clear()
    lab.run([PY, "-c", "import subprocess, sys; import yaml; "
             "subprocess.run([sys.executable, '-c', 'import numpy'])"])
    recs = [json.load(open(f)) for f in lab.pkg_records()]
    check(len(recs) == 2 and len({r["run_uuid"] for r in recs}) == 2 and
          sorted(tuple(sorted(pkgmap(r))) for r in recs) == [("PyYAML",), ("numpy",)],
          "python starting python: %r" % [(r["run_uuid"], sorted(pkgmap(r))) for r in recs])
    # Debian's own sitecustomize still runs behind ours (apport's excepthook).
    r = lab.run([PY, "-c", "import sys; print(sys.excepthook.__module__)"])
    u = lab.run([PY, "-c", "import sys; print(sys.excepthook.__module__)"], tracked=False, hook=False)
    check(r.stdout == u.stdout, "sitecustomize chain: %r vs %r" % (r.stdout, u.stdout))


# A stand-in for libseccomp's Python binding: the module name is what the
# hook looks for; the filter is real (x86_64 and aarch64 numbers).
SECCOMP_MODULE = r"""
import ctypes, platform, struct
_NR = {"x86_64": (257, 39), "aarch64": (56, 172)}[platform.machine()]  # openat, getpid
def lock():
    libc = ctypes.CDLL(None, use_errno=True)
    ins = [(0x20, 0, 0, 0)]                      # ld seccomp_data.nr
    for nr in _NR:
        ins += [(0x15, 0, 1, nr), (0x06, 0, 0, 0x80000000)]  # jeq nr -> kill process
    ins += [(0x06, 0, 0, 0x7fff0000)]            # allow
    prog = b"".join(struct.pack("HBBI", *i) for i in ins)
    buf = ctypes.create_string_buffer(prog)
    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
    fp = Fprog(len(ins), ctypes.addressof(buf))
    libc.prctl(38, 1, 0, 0, 0)                   # PR_SET_NO_NEW_PRIVS
    if libc.prctl(22, 2, ctypes.byref(fp), 0, 0) != 0:   # PR_SET_SECCOMP, FILTER
        raise OSError(ctypes.get_errno(), "seccomp")
"""


def g_exit(lab):
    """Every way out: the status and output are the program's."""
    cases = [
        ("raise", "import yaml\nraise ValueError('boom')\n", 1, True),
        ("sys.exit", "import yaml, sys\nsys.exit(3)\n", 3, True),
        ("atexit raises", "import atexit, yaml\n"
                          "def f():\n    raise RuntimeError('in atexit')\n"
                          "atexit.register(f)\n", 0, True),
        ("import at exit", "import atexit\n"
                           "def f():\n    import yaml\n    print(yaml.__name__)\n"
                           "atexit.register(f)\n", 0, True),
        ("SystemExit string", "import yaml, sys\nsys.exit('bye')\n", 1, True),
        ("os._exit", "import yaml, os, sys\nsys.stdout.flush()\nos._exit(5)\n", 5, False),
        ("SIGTERM", "import yaml, os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n", -15, False),
        ("segfault", "import yaml, ctypes\nctypes.string_at(0)\n", -11, False),
        ("KeyboardInterrupt", "import yaml\nraise KeyboardInterrupt\n", -2, True),
        ("hostile sys.modules", "import sys, yaml\n"
                                "class E:\n    def __getattr__(self, n):\n"
                                "        raise RuntimeError(n)\n"
                                "sys.modules['evil'] = E()\n"
                                "sys.modules['weird'] = type(sys)('weird')\n"
                                "sys.modules['weird'].__file__ = b'/usr/lib/x.py'\n"
                                "sys.modules[7] = sys\n", 0, True),
    ]
    for what, prog, rc, record in cases:
        lab.compare([PY, "-c", prog], what, expect_rc=rc)
        if record:
            rec = lab.record(what)
            check(rec is not None and "PyYAML" in pkgmap(rec), "%s: %r" % (what, pkgmap(rec)))
        else:
            check(not lab.pkg_records(), "%s: a package record" % what)
    # A program that sandboxes itself through a seccomp binding (here a
    # module of that name whose filter kills openat and getpid, installed
    # with prctl through ctypes): no package record, never a SIGSYS.
    mod = os.path.join(lab.dir, "sandboxmod")
    os.makedirs(mod, exist_ok=True)
    with open(os.path.join(mod, "seccomp.py"), "w") as f:
        f.write(SECCOMP_MODULE)
    prog = "import yaml, seccomp\nseccomp.lock()\nprint('locked')\n"
    lab.compare([PY, "-c", prog], "seccomp sandbox", expect_rc=0, extra={"PYTHONPATH": mod},
                hook_env={"PYTHONPATH": HOOK + ":" + mod})
    check(not lab.pkg_records(), "seccomp sandbox: a package record")
    # stdout closed, stdin closed: the hook does not care.
    lab.compare([PY, "-c", "import os, yaml; os.close(1); os.close(0)"], "closed fds", expect_rc=0)
    lab.record("closed fds")
    # A read-only spool (someone else's uid directory): no record, same output.
    lab.clear()
    os.makedirs(os.path.join(lab.root, str(os.getuid()), "nojob"), mode=0o700)
    os.chmod(os.path.join(lab.root, str(os.getuid()), "nojob"), 0o500)
    r = lab.run([PY, "-c", "import yaml; print(1)"])
    check(r.returncode == 0 and r.stdout == b"1\n" and r.stderr == b"",
          "unwritable job dir: %r" % (r,))
    check(not lab.pkg_records(), "unwritable job dir: a record")


def g_venv(lab):
    """A venv with the system's packages and a local package installed from
    a directory (no network); the hook enabled by its .pth in the venv."""
    venv = os.path.join(lab.dir, "venv")
    r = subprocess.run([PY, "-m", "venv", "--system-site-packages", "--without-pip", venv],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        print("python3 -m venv failed (python3-venv missing?): %s" % r.stdout.decode())
        sys.exit(SKIP)
    src = os.path.join(lab.dir, "localpkg")
    os.makedirs(os.path.join(src, "track_demo_pkg"))
    with open(os.path.join(src, "track_demo_pkg", "__init__.py"), "w") as f:
        f.write("VALUE = 42\n")
    with open(os.path.join(src, "setup.py"), "w") as f:
        f.write("from setuptools import setup\n"
                "setup(name='track-demo-pkg', version='0.3.1', packages=['track_demo_pkg'])\n")
    vpy = os.path.join(venv, "bin", "python")
    r = subprocess.run([PY, "-m", "pip", "--python", vpy, "install", "--no-index", "--no-deps",
                        "--no-build-isolation", "--quiet", src],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"))
    if r.returncode != 0:
        # pip 23's --python needs the target to run pip's vendored code
        r = subprocess.run([PY, "-m", "pip", "install", "--no-index", "--no-deps",
                            "--no-build-isolation", "--quiet", "--prefix", venv, src],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    check(r.returncode == 0, "pip install of a local package: %s" % r.stdout.decode()[-800:])
    site = subprocess.run([vpy, "-c", "import site; print(site.getsitepackages()[0])"],
                          stdout=subprocess.PIPE).stdout.decode().strip()
    for f in ("track_packages.py", "track-packages.pth"):
        shutil.copy(os.path.join(HOOK, f), site)
    prog = "import track_demo_pkg, numpy, yaml\nprint(track_demo_pkg.VALUE)\n"
    base = lab.run([vpy, "-c", prog], tracked=False, hook=False)
    lab.clear()
    hooked = lab.run([vpy, "-c", prog], hook=False)
    check((base.returncode, base.stdout, base.stderr) ==
          (hooked.returncode, hooked.stdout, hooked.stderr) and base.stdout == b"42\n",
          "venv: output differs: %r vs %r" % (base, hooked))
    rec = lab.record("venv")
    pk = pkgmap(rec)
    check(pk.get("track-demo-pkg", {}).get("version") == "0.3.1" and
          pk["track-demo-pkg"]["source"] == "venv" and
          pk["track-demo-pkg"]["modules"] == ["track_demo_pkg"],
          "venv: local package %r" % pk.get("track-demo-pkg"))
    check(pk.get("numpy", {}).get("source") == "system", "venv: numpy %r" % pk.get("numpy"))
    check(rec is not None and rec["python"]["environment"] == "venv" and
          rec["python"]["prefix"] == venv, "venv: python %r" % (rec or {}).get("python"))


def g_hostile(lab):
    """Thousands of distributions with hostile names and versions on
    PYTHONPATH: the record stays within max_record_bytes, the parser takes
    it, the program sees nothing."""
    d = os.path.join(lab.dir, "hostile")
    os.mkdir(d)
    n = 3000
    names = []
    for i in range(n):
        mod = "m%04d" % i
        names.append(mod)
        os.mkdir(os.path.join(d, mod))
        open(os.path.join(d, mod, "__init__.py"), "w").close()
        meta = os.path.join(d, "%s-1.0.dist-info" % mod)
        os.mkdir(meta)
        if i % 5 == 0:
            name, version = b"evil\"\\\n\x01\xff\xfe" + b"n" * 300, b"9" * 500 + b"\xc3"
        elif i % 5 == 1:
            name, version = "\u00e9t\u00e9-\U0001f600".encode() * 40, b"1.0\t\x7f"
        else:
            name, version = mod.encode(), b"1.%d" % i
        with open(os.path.join(meta, "METADATA"), "wb") as f:
            f.write(b"Metadata-Version: 2.1\nName: " + name + b"\nVersion: " + version + b"\n\n")
        with open(os.path.join(meta, "top_level.txt"), "w") as f:
            f.write(mod + "\n")
    prog = [PY, "-c", "import sys\nfor i in range(%d):\n    __import__('m%%04d' %% i)\nprint('ok')\n" % n]
    for cap in (4096, 262144):
        lab.conf("max_record_bytes = %d\n" % cap)
        env = {"PYTHONPATH": HOOK + ":" + d}
        lab.compare(prog, "hostile at %d" % cap, extra={"PYTHONPATH": d}, hook_env=env,
                    expect_rc=0)
        rec = lab.record("hostile at %d" % cap, max_bytes=cap)
        if rec is None:
            continue
        pk = rec["packages"]
        check(len(pk) > 0 and all(p["source"] == "path" for p in pk), "hostile: sources")
        check(all(len(p["name"].encode()) <= 128 and len(p["version"].encode()) <= 64
                  for p in pk), "hostile: a name or version over its limit")
        if cap == 4096:
            check(rec.get("truncated") is True and len(pk) < n, "hostile: not truncated at 4096")
        else:
            check(rec.get("truncated") is True or len(pk) == n,
                  "hostile at 256 KiB: %d packages, no truncated flag" % len(pk))
    lab.conf()


GROUPS = {"records": g_records, "gate": g_gate, "exit": g_exit, "venv": g_venv,
          "hostile": g_hostile}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in GROUPS:
        print("usage: py_test.py {%s}" % "|".join(GROUPS), file=sys.stderr)
        return 2
    if not os.path.exists(PY):
        print("no /usr/bin/python3")
        return SKIP
    for mod in ("numpy", "yaml"):
        if subprocess.run([PY, "-c", "import " + mod]).returncode != 0:
            print("%s is missing (python3-numpy, python3-yaml)" % mod)
            return SKIP
    lab = Lab()
    try:
        GROUPS[sys.argv[1]](lab)
    finally:
        shutil.rmtree(lab.dir, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
