#!/usr/bin/env python3
"""Writes the fixed report test dataset: run records (and one link record)
into ARCHIVE/<YYYYMM>/ exactly as track-epilog leaves them, plus MODEL.json,
the same runs as plain data for check_reports.py, which computes every
expected report value from it independently of the database.

    gen_dataset.py ARCHIVE MODEL.json

Deterministic (fixed seed). Times are UTC; the test's MariaDB runs with
time_zone +00:00 so the report dates mean the same days. uids are chosen
so that they resolve to no account on this host (the ingester then keeps
the record's user name)."""
import json
import os
import pwd
import random
import sys
import uuid
from datetime import datetime, timezone

SEED = 20240301
T0 = int(datetime(2024, 3, 1, tzinfo=timezone.utc).timestamp())    # --since 2024-03-01
T1 = int(datetime(2024, 3, 31, tzinfo=timezone.utc).timestamp())   # --until 2024-03-31
FEB = int(datetime(2024, 2, 10, tzinfo=timezone.utc).timestamp())
SIG_EXE = "7d3c1e2a-4b5f-4c6d-8e9f-0a1b2c3d4e5f"
SIG_EXE2 = "0c9d8e7f-6a5b-4c3d-9e1f-2a3b4c5d6e7f"   # mysim rebuilt, linked by bob
SIG_LIB = "0f1e2d3c-4b5a-4968-8776-655443322110"

R = random.Random(SEED)


def free_uid(start):
    u = start
    while True:
        try:
            pwd.getpwuid(u)
        except KeyError:
            return u
        u += 1


USERS = []
_u = 3900001
for name in ("alice", "bob", "carol", "dave"):
    _u = free_uid(_u)
    USERS.append((name, _u))
    _u += 1

LIBC = ("/usr/lib/x86_64-linux-gnu/libc.so.6", "aa" * 20, "")
LIBM = ("/usr/lib/x86_64-linux-gnu/libm.so.6", "ab" * 20, "")
LIBPY = ("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "ad" * 20, "")
BLAS_GOOD = ("/opt/openblas/lib/libopenblas.so.0", "b1" * 20, "")
BLAS_BAD = ("/opt/openblas/lib/libopenblas.so.0", "b2" * 20, "")
BLAS_SW = ("/sw/openblas-0.3.26/lib/libopenblas.so.0", "b3" * 20, "")
MPI = ("/opt/openmpi/lib/libmpi.so.40", "c1" * 20, "")
FOO1 = ("/opt/foo/lib/libfoo.so.1", "e1" * 20, "")
FOO2 = ("/opt/foo/lib/libfoo.so.2", "e2" * 20, "")
MINE = ("/home/alice/lib/libmine.so", "f1" * 20, SIG_LIB)
WEIRD_LIB = ("/home/bob/lib/lib\udce9t\u00e9.so", "f2" * 20, "")   # a non-UTF-8 byte and a real é

EXES = {
    "python": (("/usr/bin/python3.11", "91" * 20, ""), [LIBC, LIBM, LIBPY]),
    "lmp": (("/opt/apps/lammps/bin/lmp", "92" * 20, ""), [LIBC, LIBM, MPI]),   # + a BLAS build
    "mysim": (("/home/alice/bin/mysim", "93" * 20, SIG_EXE), [LIBC, MINE, FOO1, FOO2]),
    # the same path rebuilt twice: one path, three objects (two build-ids, one
    # build without a build-id), two link records
    "mysim2": (("/home/alice/bin/mysim", "97" * 20, SIG_EXE2), [LIBC, MINE, FOO1, FOO2]),
    "mysim0": (("/home/alice/bin/mysim", "", ""), [LIBC, MINE, FOO1]),
    "bash": (("/bin/bash", "94" * 20, ""), [LIBC]),
    "weird": (("/home/bob/bin/\udcff\udcfeweird", "95" * 20, ""), [LIBC, BLAS_SW, WEIRD_LIB]),
    "hostname": (("/usr/bin/hostname", "96" * 20, ""), [LIBC]),
    # a user's own lmp: another path with the file name of the site's lmp
    "lmp_own": (("/home/carol/bin/lmp", "98" * 20, ""), [LIBC, MPI]),
}
MODULES = [["gcc/12.2"], ["gcc/12.2", "openmpi/4.1"], ["gcc/12.2", "openmpi/4.1", "openblas/0.3.21"],
           ["python/3.11"], []]

runs = []
links = []


def new_uuid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def add_run(**kw):
    r = dict(parent=None, job=None, modules=[], env={}, has_start=True, has_end=True,
             exit_status=0, signal=None, run_time_us=0, cwd="/home/x")
    r.update(kw)
    name = r.pop("exe_name")
    exe, objs = EXES[name]
    r["exe"] = exe
    r["objects"] = list(objs) + r.pop("extra_objects", [])
    r["uuid"] = new_uuid()
    r["cmdline"] = [exe[0].rsplit("/", 1)[1], "--step", str(len(runs))]
    if not r["has_end"]:
        r["exit_status"] = None
        r["signal"] = None
        r["run_time_us"] = None
    if r["signal"] is not None:
        r["exit_status"] = None
    runs.append(r)
    return r


def job_runs(syshost, jobid, user, uid, account, partition, tasks, cpt, t, mods):
    """One job: a batch shell, then a few steps forked from it."""
    host = "%s-n%02d" % (syshost, R.randrange(1, 9))
    job = {"id": jobid, "account": account, "partition": partition, "num_tasks": tasks,
           "cpus_per_task": cpt, "num_nodes": 1}
    env_omp = R.choice([None, "1", "4", "8"])
    env = {"SLURM_JOB_NAME": "job%s" % jobid}
    if env_omp:
        env["OMP_NUM_THREADS"] = env_omp
    bash_pid = R.randrange(1000, 30000)
    common = dict(syshost=syshost, host=host, user=user, uid=uid, gid=uid, job=job, modules=mods, env=env)
    bash = add_run(exe_name="bash", pid=bash_pid, ppid=1, start_us=t * 10**6 + 1, **common)
    t_cur = t + 1
    pid = bash_pid + 1
    for _ in range(R.randrange(1, 5)):
        kind = R.choice(["python", "lmp", "lmp", "mysim", "mysim2", "mysim0", "weird", "exec"])
        rt = R.randrange(10, 7200) * 10**6 + R.randrange(0, 10**6)
        outcome = R.choices(["ok", "fail", "signal", "noend"], [70, 12, 8, 10])[0]
        kw = dict(pid=pid, ppid=bash_pid, parent=bash["uuid"], start_us=t_cur * 10**6 + R.randrange(10**6),
                  run_time_us=rt, **common)
        if outcome == "fail":
            kw["exit_status"] = R.choice([1, 2, 137])
        elif outcome == "signal":
            kw["signal"] = R.choice([11, 6])
        elif outcome == "noend":
            kw["has_end"] = False
        if kind == "exec":
            # python that execs lmp: same pid, the python image never ends
            py = add_run(exe_name="python", **dict(kw, has_end=False))
            kw2 = dict(kw, parent=py["uuid"], start_us=py["start_us"] + 250000)
            add_run(exe_name="lmp", extra_objects=[R.choice([BLAS_GOOD, BLAS_BAD])], **kw2)
        elif kind == "lmp":
            add_run(exe_name="lmp", extra_objects=[R.choice([BLAS_GOOD, BLAS_BAD])], **kw)
        else:
            add_run(exe_name=kind, **kw)
        t_cur += rt // 10**6 + 5
        pid += 1
    bash["run_time_us"] = (t_cur - t) * 10**6


# Jobs: most in March, a few in February (outside the window).
jobno = 5000
for i in range(60):
    user, uid = R.choice(USERS)
    syshost = R.choice(["alpha", "alpha", "beta"])
    t = R.randrange(T0, T1 - 86400) if i < 54 else R.randrange(FEB, FEB + 5 * 86400)
    tasks = R.choice([1, 1, 4, 16])
    cpt = R.choice([1, 2])
    jobno += R.randrange(1, 4)
    job_runs(syshost, str(jobno), user, uid, R.choice(["chem", "phys"]), R.choice(["cpu", "gpu"]),
             tasks, cpt, t, R.choice(MODULES))

# Outside any job: hostname on a login node; boundary times.
for t_us in (T0 * 10**6, T1 * 10**6 - 1, T1 * 10**6, T0 * 10**6 - 1):
    add_run(exe_name="hostname", syshost="alpha", host="alpha-login1", user="dave", uid=USERS[3][1],
            gid=USERS[3][1], pid=R.randrange(100, 900), ppid=50, start_us=t_us, run_time_us=20000)
# A run whose start record was lost: only the end record exists.
add_run(exe_name="hostname", syshost="beta", host="beta-login1", user="carol", uid=USERS[2][1],
        gid=USERS[2][1], pid=777, ppid=50, start_us=(T0 + 3 * 86400) * 10**6, run_time_us=3 * 10**6,
        has_start=False)
# The link record that built mysim (who built what ran).
links.append({"uuid": SIG_EXE, "user": "alice", "uid": USERS[0][1], "syshost": "alpha",
              "host": "alpha-login1", "time_us": (FEB - 86400) * 10**6,
              "output": "/home/alice/bin/mysim", "output_build_id": "93" * 20})
links.append({"uuid": SIG_EXE2, "user": "bob", "uid": USERS[1][1], "syshost": "alpha",
              "host": "alpha-login1", "time_us": (FEB - 3600) * 10**6,
              "output": "/home/alice/bin/mysim", "output_build_id": "97" * 20})

# One job that runs the site's lmp and a user's own lmp (same file name,
# two paths): one lmp job per day for `daily --by application`, one job per
# path for `--by executable`. On 2024-02-20, outside every March window, and
# last, so that the random draws above (and the documented outputs) stay
# as they were.
_t = FEB + 10 * 86400
_job = {"id": "9001", "account": "chem", "partition": "cpu", "num_tasks": 4, "cpus_per_task": 1,
        "num_nodes": 1}
_kw = dict(syshost="alpha", host="alpha-n01", user="carol", uid=USERS[2][1], gid=USERS[2][1],
           job=_job, modules=[], env={"SLURM_JOB_NAME": "job9001"})
_sh = add_run(exe_name="bash", pid=4000, ppid=1, start_us=_t * 10**6, run_time_us=700 * 10**6, **_kw)
add_run(exe_name="lmp", pid=4001, ppid=4000, parent=_sh["uuid"], start_us=(_t + 10) * 10**6,
        run_time_us=300 * 10**6, extra_objects=[BLAS_GOOD], **_kw)
add_run(exe_name="lmp_own", pid=4002, ppid=4000, parent=_sh["uuid"], start_us=(_t + 320) * 10**6,
        run_time_us=300 * 10**6, exit_status=1, **_kw)

# One job across midnight (2024-02-25 23:55 to 02-26 00:15): it belongs to
# the window of its first start (02-25) only, with its whole span, though a
# run of it starts on 02-26 (docs/reports.md "Core-hours"). Appended last for
# the same reason.
_t = FEB + 15 * 86400 + 86400 - 300
_job = dict(_job, id="9002")
_kw = dict(_kw, job=_job, env={"SLURM_JOB_NAME": "job9002"})
_sh = add_run(exe_name="bash", pid=4100, ppid=1, start_us=_t * 10**6, run_time_us=1200 * 10**6,
              **_kw)
add_run(exe_name="lmp", pid=4101, ppid=4100, parent=_sh["uuid"], start_us=(_t + 600) * 10**6,
        run_time_us=540 * 10**6, **_kw)


def t_str(us):
    return "%d.%06d" % (us // 10**6, us % 10**6)


def name_date(us):
    d = datetime.fromtimestamp(us // 10**6, timezone.utc)
    return d.strftime("%Y_%m_%d_%H_%M_%S") + "_%04d" % ((us % 10**6) // 100)


def dump(obj, times):
    """JSON with the given keys' values as bare six-decimal numbers."""
    for k in times:
        if k in obj and obj[k] is not None:
            obj[k] = "@@T%s@@" % t_str(obj[k])
    s = json.dumps(obj, ensure_ascii=True)
    import re
    return re.sub(r'"@@T([0-9.]+)@@"', r"\1", s)


def obj_json(o):
    d = {"path": o[0], "build_id": o[1]}
    if o[2]:
        d["signature"] = o[2]
    return d


def write(archive, name, us, text):
    month = datetime.fromtimestamp(us // 10**6, timezone.utc).strftime("%Y%m")
    d = os.path.join(archive, month)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w", encoding="ascii") as f:
        f.write(text + "\n")


def main():
    archive, model = sys.argv[1], sys.argv[2]
    for r in runs:
        base = {"schema": 1, "run_uuid": r["uuid"], "syshost": r["syshost"], "host": r["host"],
                "uid": r["uid"], "gid": r["gid"], "user": r["user"], "pid": r["pid"], "ppid": r["ppid"],
                "start_time": r["start_us"], "exe": obj_json(r["exe"]), "cmdline": r["cmdline"],
                "cwd": r["cwd"], "modules": r["modules"], "env": r["env"],
                "objects": [obj_json(o) for o in r["objects"]]}
        if r["parent"]:
            base["parent_uuid"] = r["parent"]
        if r["job"]:
            j = dict(r["job"])
            j["scheduler"] = "slurm"
            base["job"] = j
        for kind, tag in (("start", "aaa"), ("end", "zzz")):
            if kind == "start" and not r["has_start"]:
                continue
            if kind == "end" and not r["has_end"]:
                continue
            rec = dict(base, kind=kind)
            times = ["start_time"]
            if kind == "end":
                rec["end_time"] = r["start_us"] + r["run_time_us"]
                rec["run_time"] = r["run_time_us"]
                rec["utime"] = r["run_time_us"] // 2
                rec["stime"] = 0
                rec["maxrss_kb"] = 1024
                if r["signal"] is not None:
                    rec["signal"] = r["signal"]
                else:
                    rec["exit_status"] = r["exit_status"]
                times += ["end_time", "run_time", "utime", "stime"]
            name = "run.%s.%s.%s.%s.%s.json" % (r["syshost"], name_date(r["start_us"]), r["user"], tag,
                                                r["uuid"])
            write(archive, name, r["start_us"], dump(rec, times))
    for ln in links:
        rec = {"schema": 1, "kind": "link", "link_uuid": ln["uuid"], "syshost": ln["syshost"],
               "host": ln["host"], "user": ln["user"], "uid": ln["uid"], "gid": ln["uid"],
               "time": ln["time_us"], "cwd": "/home/alice/src", "output": ln["output"],
               "output_build_id": ln["output_build_id"], "linker": "/usr/bin/ld",
               "cmdline": ["ld", "-o", ln["output"]], "objects": []}
        name = "link.%s.%s.%s.%s.json" % (ln["syshost"], name_date(ln["time_us"]), ln["user"], ln["uuid"])
        write(archive, name, ln["time_us"], dump(rec, ["time"]))
    m = {"T0": T0, "T1": T1, "runs": runs, "links": links}
    with open(model, "w", encoding="utf-8", errors="surrogateescape") as f:
        json.dump(m, f, ensure_ascii=True, indent=0)


if __name__ == "__main__":
    main()
