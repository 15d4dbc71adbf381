#!/usr/bin/env python3
"""Runs every track-report report against the database loaded from the
dataset of gen_dataset.py and compares the output with values computed here,
from MODEL.json alone (never from the report's own earlier output).

    check_reports.py TRACK_REPORT DEFAULTS_FILE MODEL.json MARIADB_CLIENT_CMD...

Exit 0 when every check passed; otherwise prints each failure and exits 1."""
import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal

BIN, CNF, MODEL = sys.argv[1], sys.argv[2], sys.argv[3]
SQLCLIENT = sys.argv[4:]
SINCE, UNTIL = "2024-03-01", "2024-03-31"
DEFAULT_PREFIXES = "/usr,/bin,/sbin,/lib,/lib64,/opt/cray,/opt/intel"
SIG_EXE = "7d3c1e2a-4b5f-4c6d-8e9f-0a1b2c3d4e5f"
SIG_LIB = "0f1e2d3c-4b5a-4968-8776-655443322110"

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


with open(MODEL, encoding="utf-8") as f:
    model = json.load(f)
RUNS = model["runs"]
LINKS = model["links"]
T0, T1 = model["T0"], model["T1"]
BY_UUID = {r["uuid"]: r for r in RUNS}


def b(s):
    """A model string as the bytes it stands for (surrogateescape)."""
    return s.encode("utf-8", "surrogateescape")


# ---- per-run facts -----------------------------------------------------------

def cores(r):
    j = r["job"] or {}
    return max(1, j.get("num_tasks", 1) * j.get("cpus_per_task", 1))


def core_us(r):
    return (r["run_time_us"] if r["has_end"] else 0) * cores(r)


def exec_replaced(r):
    return any(c["parent"] == r["uuid"] and c["pid"] == r["pid"] for c in RUNS)


def no_end(r):
    return not r["has_end"] and not exec_replaced(r)


def signaled(r):
    return r["has_end"] and r["signal"] is not None


def nonzero(r):
    return r["has_end"] and r["exit_status"] not in (None, 0)


def failed(r):
    return no_end(r) or signaled(r) or nonzero(r)


def job_key(r):
    return (r["syshost"], r["job"]["id"]) if r["job"] else None


def account(r):
    return r["job"]["account"] if r["job"] else None


def partition(r):
    return r["job"]["partition"] if r["job"] else None


def window(since=SINCE, until=UNTIL, syshost=None, user=None, acct=None, part=None):
    t0 = int(datetime.fromisoformat(since).replace(tzinfo=timezone.utc).timestamp()) * 10**6
    t1 = int(datetime.fromisoformat(until).replace(tzinfo=timezone.utc).timestamp()) * 10**6
    out = []
    for r in RUNS:
        if not (t0 <= r["start_us"] < t1):
            continue
        if syshost is not None and r["syshost"] != syshost:
            continue
        if user is not None and r["user"] != user:
            continue
        if acct is not None and account(r) != acct:
            continue
        if part is not None and partition(r) != part:
            continue
        out.append(r)
    return out


def prefix_match(prefixes, path):
    for item in prefixes.split(","):
        item = item.strip()
        if not item:
            continue
        n = item.rstrip("/") or "/"
        if n == "/":
            if path.startswith("/"):
                return True
            continue
        if path == n or path.startswith(n + "/"):
            return True
    return False


def ch(cs_us):
    return Decimal(cs_us) / Decimal(3600 * 10**6)


def jobs_of(rs):
    return len({job_key(r) for r in rs if job_key(r)})


def date_str(us):
    return datetime.fromtimestamp(us // 10**6, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


# ---- running the tool ----------------------------------------------------------

def run(args, expect_rc=0):
    p = subprocess.run([BIN, "--defaults-file", CNF] + args, capture_output=True)
    check(p.returncode == expect_rc,
          "%s: exit %d, expected %d; stderr: %s" % (" ".join(args), p.returncode, expect_rc,
                                                    p.stderr.decode(errors="replace").strip()))
    return p


def report_json(args):
    p = run(args + ["--format", "json"])
    try:
        doc = json.loads(p.stdout.decode("utf-8", "surrogateescape"), parse_float=Decimal)
    except ValueError as e:
        check(False, "%s: output is not valid JSON: %s" % (" ".join(args), e))
        return {"columns": [], "rows": []}
    check(isinstance(doc.get("rows"), list) and isinstance(doc.get("columns"), list),
          "%s: JSON lacks rows/columns" % " ".join(args))
    for row in doc["rows"]:
        check(list(row.keys()) == doc["columns"], "%s: row keys differ from columns" % " ".join(args))
    return doc


def close(a, b_, what):
    ok = a is not None and abs(Decimal(str(a)) - b_) <= Decimal("0.0051")
    check(ok, "%s: %s, expected %.4f" % (what, a, b_))


def cmp_rows(what, got, exp, keys, money=("core_hours",)):
    """got: JSON rows; exp: list of dicts. Same order, same values."""
    check(len(got) == len(exp), "%s: %d rows, expected %d" % (what, len(got), len(exp)))
    for i, (g, e) in enumerate(zip(got, exp)):
        for k in keys:
            if k in money:
                close(g.get(k), e[k], "%s row %d %s" % (what, i + 1, k))
            else:
                check(g.get(k) == e[k], "%s row %d: %s = %r, expected %r" % (what, i + 1, k, g.get(k), e[k]))


# ---- expected values per report ------------------------------------------------

def exp_summary(rs, prefixes=DEFAULT_PREFIXES):
    sysr = [r for r in rs if prefix_match(prefixes, r["exe"][0])]
    usr = [r for r in rs if not prefix_match(prefixes, r["exe"][0])]
    return {
        "runs": len(rs), "jobs": jobs_of(rs), "users": len({r["user"] for r in rs}),
        "accounts": len({account(r) for r in rs if account(r)}),
        "executables": len({r["exe"][0] for r in rs}),
        "core_hours": ch(sum(core_us(r) for r in rs)),
        "system_runs": len(sysr), "user_built_runs": len(usr),
        "system_core_hours": ch(sum(core_us(r) for r in sysr)),
        "user_built_core_hours": ch(sum(core_us(r) for r in usr)),
        "abnormal_runs": sum(1 for r in rs if failed(r)),
    }


def test_summary():
    cases = [
        ([], {}),
        (["--user", "bob"], {"user": "bob"}),
        (["--syshost", "beta"], {"syshost": "beta"}),
        (["--account", "chem"], {"acct": "chem"}),
        (["--partition", "gpu"], {"part": "gpu"}),
        (["--user", "alice", "--syshost", "alpha", "--partition", "cpu"],
         {"user": "alice", "syshost": "alpha", "part": "cpu"}),
        (["--since", "2024-03-10", "--until", "2024-03-20"], {"since": "2024-03-10", "until": "2024-03-20"}),
    ]
    for args, kw in cases:
        a = ["summary", "--since", kw.get("since", SINCE), "--until", kw.get("until", UNTIL)] + \
            [x for x in args if x not in ("--since", "--until") and not re.match(r"\d{4}-", x)]
        doc = report_json(a)
        e = exp_summary(window(**kw))
        check(len(doc["rows"]) == 1, "summary %s: one row" % args)
        if doc["rows"]:
            cmp_rows("summary %s" % args, doc["rows"], [e], list(e.keys()),
                     money=("core_hours", "system_core_hours", "user_built_core_hours"))
    # boundaries: --since day included from its first microsecond, --until excluded
    rs = window()
    check(any(r["start_us"] == T0 * 10**6 for r in rs), "dataset has a run at --since exactly")
    check(not any(r["start_us"] >= T1 * 10**6 for r in rs), "window excludes --until")
    # system prefixes from the command line
    doc = report_json(["summary", "--since", SINCE, "--until", UNTIL, "--system-prefixes", "/opt/apps/,/usr"])
    e = exp_summary(window(), "/opt/apps,/usr")
    cmp_rows("summary --system-prefixes", doc["rows"], [e], ["system_runs", "user_built_runs",
             "system_core_hours"], money=("system_core_hours",))
    check(doc.get("since") == SINCE and doc.get("until") == UNTIL, "summary: JSON since/until")


def group(rs, keyf):
    g = {}
    for r in rs:
        for k in keyf(r):
            g.setdefault(k, []).append(r)
    return g


def test_executables(args=(), kw=None):
    rs = window(**(kw or {}))
    classes = [("all", lambda r: True), ("parallel", lambda r: (r["job"] or {}).get("num_tasks", 1) > 1),
               ("serial", lambda r: (r["job"] or {}).get("num_tasks", 1) <= 1)]
    exp = []
    allrows = []
    lim = 3
    for cname, cf in classes:
        g = group([r for r in rs if cf(r)], lambda r: [r["exe"][0]])
        rows = []
        for path, grs in g.items():
            sigs = {r["exe"][2] for r in grs if r["exe"][2]}
            built = sorted({ln["user"] for ln in LINKS if ln["uuid"] in sigs})
            rows.append({"executable": path, "runs": len(grs), "jobs": jobs_of(grs),
                         "users": len({r["user"] for r in grs}), "cs": sum(core_us(r) for r in grs),
                         "core_hours": ch(sum(core_us(r) for r in grs)),
                         "kind": "system" if prefix_match(DEFAULT_PREFIXES, path) else "user-built",
                         "builds": len({r["exe"][1] for r in grs if r["exe"][1]}),
                         "built_by": ",".join(built) if built else None})
        allrows += rows
        for crit, key in (("core-hours", lambda x: (-x["cs"], -x["runs"], b(x["executable"]))),
                          ("runs", lambda x: (-x["runs"], -x["cs"], b(x["executable"]))),
                          ("users", lambda x: (-x["users"], -x["cs"], b(x["executable"])))):
            for i, x in enumerate(sorted(rows, key=key)[:lim]):
                exp.append(dict(x, section="%s runs by %s" % (cname, crit), rank=i + 1))
    doc = report_json(["executables", "--since", SINCE, "--until", UNTIL, "--limit", str(lim)] + list(args))
    cmp_rows("executables %s" % list(args), doc["rows"], exp, ["section", "rank", "executable", "kind", "runs", "jobs",
                                               "users", "core_hours", "builds", "built_by"])
    if args:
        return
    check(any(x["built_by"] == "alice,bob" for x in allrows), "dataset: mysim was built by alice and bob (link records)")
    doc = report_json(["executables", "--since", SINCE, "--until", UNTIL, "--limit", "100"])
    check(any(x["built_by"] == "alice,bob" and x["executable"].endswith("/mysim") for x in doc["rows"]),
          "executables: built_by names the link records' users of every build that ran")
    check(any(x["builds"] == 2 and x["executable"].endswith("/mysim") for x in doc["rows"]),
          "executables: mysim's two build-ids (a third build has none) count as 2 builds")


def family(path):
    base = path.rsplit("/", 1)[-1]
    return re.sub(r"\.so(\.[0-9]+)+$", ".so", base)


def test_libraries(args=(), kw=None):
    rs = window(**(kw or {}))
    exp = []
    for sec, keyf in (("by path", lambda o: o[0]), ("by family", lambda o: family(o[0]))):
        g = group(rs, lambda r: sorted({keyf(o) for o in r["objects"]}))
        rows = []
        for lib, grs in g.items():
            builds = {o[1] for r in grs for o in r["objects"] if keyf(o) == lib and o[1]}
            rows.append({"section": sec, "library": lib, "builds": len(builds), "runs": len(grs),
                         "jobs": jobs_of(grs), "users": len({r["user"] for r in grs}),
                         "cs": sum(core_us(r) for r in grs), "core_hours": ch(sum(core_us(r) for r in grs))})
        rows.sort(key=lambda x: (-x["runs"], -x["cs"], b(x["library"])))
        for i, x in enumerate(rows[:20]):
            exp.append(dict(x, rank=i + 1))
    doc = report_json(["libraries", "--since", SINCE, "--until", UNTIL] + list(args))
    cmp_rows("libraries %s" % list(args), doc["rows"], exp,
             ["section", "rank", "library", "builds", "runs", "jobs", "users", "core_hours"])
    fam = [x for x in exp if x["section"] == "by family" and x["library"] == "libopenblas.so"]
    check(fam and fam[0]["builds"] == 3, "dataset: libopenblas.so family has 3 builds")
    foo = [x for x in exp if x["section"] == "by family" and x["library"] == "libfoo.so"]
    check(foo and foo[0]["runs"] == len([r for r in rs if r["exe"][0].endswith("mysim")]),
          "libfoo.so.1 + .so.2 in one run count once for the family")


def test_who_used(filt=(), kw=None):
    # with a filter the report takes its other plan (the server's own join
    # order instead of a row lookup per hit)
    rs = window(**(kw or {}))
    cases = [
        (["--library", "libopenblas*"], lambda o: o[0].rsplit("/", 1)[-1].startswith("libopenblas")),
        (["--library", "/opt/*/libopenblas.so.?"], lambda o: re.fullmatch(r"/opt/.*/libopenblas\.so\..", o[0])),
        (["--build-id", "B2" * 20], lambda o: o[1] == "b2" * 20),
        (["--library", "libopenblas.so.0", "--build-id", "b1" * 20],
         lambda o: o[0].endswith("/libopenblas.so.0") and o[1] == "b1" * 20),
        (["--signature", SIG_EXE], lambda o: o[2] == SIG_EXE),
        (["--signature", SIG_LIB], lambda o: o[2] == SIG_LIB),
        (["--library", "lib\udce9t*"], lambda o: o[0].rsplit("/", 1)[-1].startswith("lib\udce9t")),
        (["--library", "nothing-matches-this"], lambda o: False),
    ]
    seen = 0
    for args, match in cases:
        agg = {}
        for r in rs:
            hits = [("library", o) for o in r["objects"] if match(o)]
            if match(r["exe"]):
                hits.append(("executable", r["exe"]))
            for how, o in hits:
                k = (r["syshost"], r["job"]["id"] if r["job"] else None, r["user"], account(r), how,
                     o[0], o[1], o[2])
                a = agg.setdefault(k, {"runs": 0, "cs": 0, "first": None, "last": None})
                a["runs"] += 1
                a["cs"] += core_us(r)
                a["first"] = r["start_us"] if a["first"] is None else min(a["first"], r["start_us"])
                a["last"] = r["start_us"] if a["last"] is None else max(a["last"], r["start_us"])
        exp = []
        for k, a in agg.items():
            exp.append({"syshost": k[0], "job_id": k[1], "user": k[2], "account": k[3], "loaded_as": k[4],
                        "object": k[5], "build_id": k[6], "signature": k[7], "runs": a["runs"],
                        "core_hours": ch(a["cs"]), "first_start": date_str(a["first"]),
                        "last_start": date_str(a["last"]), "_first": a["first"]})
        exp.sort(key=lambda x: (x["_first"], x["syshost"], x["job_id"] or "", x["user"], b(x["object"]),
                                x["build_id"], x["loaded_as"]))
        seen += len(exp)
        if not filt:
            check(bool(exp) == (args[1] != "nothing-matches-this"), "who-used %s: dataset has matches" % args)
        argv = ["who-used", "--since", SINCE, "--until", UNTIL] + [a.encode("utf-8", "surrogateescape")
                                                                   .decode("utf-8", "surrogateescape")
                                                                   for a in args] + list(filt)
        cols = ["syshost", "job_id", "user", "account", "loaded_as", "object", "build_id", "signature",
                "runs", "core_hours", "first_start", "last_start"]
        doc = report_json(argv)
        cmp_rows("who-used %s" % (args + list(filt)), doc["rows"], exp, cols)
        # --limit: the first rows of the same order (the report ranks only
        # the rows that start no later than the last one printed)
        if len(exp) > 1:
            n = len(exp) // 2
            doc = report_json(argv + ["--limit", str(n)])
            cmp_rows("who-used %s --limit %d" % (args + list(filt), n), doc["rows"], exp[:n], cols)
    check(seen > 0, "who-used %s: the window has matches" % list(filt))


def test_modules():
    rs = window()
    g = group(rs, lambda r: sorted(set(r["modules"])))
    rows = [{"module": m, "users": len({r["user"] for r in grs}), "jobs": jobs_of(grs), "runs": len(grs),
             "core_hours": ch(sum(core_us(r) for r in grs))} for m, grs in g.items()]
    rows.sort(key=lambda x: (-x["users"], -x["jobs"], -x["runs"], b(x["module"])))
    exp = [dict(x, rank=i + 1) for i, x in enumerate(rows)]
    doc = report_json(["modules", "--since", SINCE, "--until", UNTIL])
    cmp_rows("modules", doc["rows"], exp, ["rank", "module", "users", "jobs", "runs", "core_hours"])


class RollupStale:
    """Within it a day of the window is marked for a roll-up refresh, so that
    the reports that take the roll-up's shortcut (libraries, software) read
    the runs instead: both ways must give the same figures. The mark is a
    mark for the software roll-up too (migration 0023's trigger); nothing
    changed, so both marks go at the end."""
    def __enter__(self):
        sql_client("INSERT IGNORE INTO track_rollup_dirty (day) VALUES ('%s')" % SINCE)

    def __exit__(self, *exc):
        sql_client("DELETE FROM track_rollup_dirty WHERE day = '%s'; "
                   "DELETE FROM track_sw_dirty WHERE day = '%s'" % (SINCE, SINCE))


def sw_refresh(conf):
    """track-ingest --refresh-rollup with conf's software map: the software
    roll-up (migration 0023) then holds that map's attribution."""
    env = dict(os.environ, TRACK_CONFIG=conf)
    p = subprocess.run([os.environ["TRACK_INGEST_BIN"], "--refresh-rollup", "--defaults-file", CNF],
                       capture_output=True, env=env)
    check(p.returncode == 0 and b"software roll-up: " in p.stdout,
          "track-ingest --refresh-rollup with %s: exit %d, %r %r" % (conf, p.returncode, p.stdout, p.stderr))


def sw_store_read(sec, what):
    """The report reads the software roll-up: a damaged stored row (runs of
    every package of the section on the window's first day, plus 1000)
    shows in its figures, and is repaired."""
    base = report_json(["software", "--since", SINCE, "--until", UNTIL])
    upd = ("UPDATE track_rollup_sw SET runs = runs %s 1000 WHERE day = '%s' AND ord = %d"
           % ("%s", SINCE, 1 if sec == "executables" else 2))
    sql_client(upd % "+")
    try:
        got = report_json(["software", "--since", SINCE, "--until", UNTIL])
    finally:
        sql_client(upd % "-")
    before = {(r["package"], r["version"]): r["runs"] for r in base["rows"] if r["section"] == sec}
    after = {(r["package"], r["version"]): r["runs"] for r in got["rows"] if r["section"] == sec}
    check(any(after.get(k, 0) - v == 1000 for k, v in before.items()),
          "software %s (%s): the report reads the software roll-up (%r -> %r)" % (sec, what, before, after))


def sql_client(stmt):
    p = subprocess.run(SQLCLIENT + ["--batch", "-e", stmt], capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("sql client: %s: %s" % (stmt, p.stderr.decode(errors="replace")))


def test_software():
    """Without a map or rules (the test config names none) every object is
    unattributed: one row per section holding all runs, and no module is a
    retirement candidate (nothing is known about their files). The same with
    the roll-up out of date (the report then expands every set)."""
    rs = window()
    test_software_all(rs)
    for sec in ("executables", "libraries"):
        sw_store_read(sec, "no map")
    with RollupStale():
        test_software_all(rs)
    test_software_user(rs)


def test_software_all(rs):
    doc = report_json(["software", "--since", SINCE, "--until", UNTIL])
    exp = {"runs": len(rs), "jobs": jobs_of(rs), "users": len({r["user"] for r in rs}),
           "core_hours": ch(sum(core_us(r) for r in rs)), "package": None, "version": None,
           "source": "unattributed", "rank": 1}
    for sec in ("executables", "libraries"):
        got = [r for r in doc["rows"] if r["section"] == sec]
        cmp_rows("software %s" % sec, got, [exp], ["rank", "package", "version", "source", "runs", "jobs",
                                                   "users", "core_hours"])
    check(len(doc["rows"]) == 2, "software: two rows without a map")
    ex = [r for r in doc["rows"] if r["section"] == "executables"]
    check(ex and ex[0]["objects"] == len({r["exe"][0] for r in rs}), "software: distinct executables")
    lb = [r for r in doc["rows"] if r["section"] == "libraries"]
    check(lb and lb[0]["objects"] == len({o[0] for r in rs for o in r["objects"]}),
          "software: distinct library paths (%r)" % (lb[0]["objects"] if lb else None))


def test_software_user(rs):
    # With a filter the report reads the rows, not the indexes alone
    # (migration 0021): the same figures for the filtered runs.
    users = sorted({r["user"] for r in rs if r["user"].isascii()})
    u = max(users, key=lambda x: (sum(1 for r in rs if r["user"] == x), x))
    ru = [r for r in rs if r["user"] == u]
    doc = report_json(["software", "--since", SINCE, "--until", UNTIL, "--user", u])
    expu = {"runs": len(ru), "jobs": jobs_of(ru), "users": 1, "core_hours": ch(sum(core_us(r) for r in ru)),
            "package": None, "version": None, "source": "unattributed", "rank": 1}
    check(len(ru) < len(rs), "software --user %s: a filter that leaves runs out" % u)
    for sec in ("executables", "libraries"):
        got = [r for r in doc["rows"] if r["section"] == sec]
        cmp_rows("software --user %s %s" % (u, sec), got, [expu],
                 ["rank", "package", "version", "source", "runs", "jobs", "users", "core_hours"])
    doc = report_json(["modules", "--since", SINCE, "--until", UNTIL])
    check(all(r["section"] == "loaded" and r["file_runs"] is None for r in doc["rows"]),
          "modules without a map: no file_runs, no retirement candidates")


SW_RULES = (("/usr/lib/x86_64-linux-gnu", "os", "debian12"), ("/opt/openblas", "openblas", "0.3"),
            ("/opt/openmpi", "openmpi", "4.1"), ("/opt/foo", "foo", None), ("/opt/apps", "apps", "1"),
            ("/usr/bin", "os", "debian12"), ("/home/alice", "alice-codes", None))


def sw_package(path):
    for pre, pkg, ver in SW_RULES:
        if path.startswith(pre + "/"):
            return (pkg, ver)
    return (None, None)


def test_software_rules():
    """With a site's rules (disjoint prefixes, so no precedence question):
    runs, jobs, users and core-hours per package against the model, each run
    once per package it loaded; and with --limit, the first rows of the same
    order and the unattributed row with the same figures (the report counts
    jobs and users only for the rows it prints)."""
    rules = os.path.join(os.path.dirname(CNF), "software.rules")
    with open(rules, "w", encoding="utf-8") as f:
        for pre, pkg, ver in SW_RULES:
            f.write("prefix %s %s\n" % (pre, pkg if ver is None else pkg + "/" + ver))
    conf = os.path.join(os.path.dirname(CNF), "track-rules.conf")
    with open(os.environ["TRACK_CONFIG"], encoding="utf-8") as f, open(conf, "w", encoding="utf-8") as g:
        g.write(f.read() + "software_map = %s\n" % rules)
    saved = os.environ["TRACK_CONFIG"]
    os.environ["TRACK_CONFIG"] = conf
    try:
        # the software roll-up was made without a map: the report attributes
        # at report time; then track-ingest refreshes it with the rules, and
        # the report reads it
        test_software_rules_all()
        sw_refresh(conf)
        test_software_rules_all()
        for sec in ("executables", "libraries"):
            sw_store_read(sec, "rules")
        with RollupStale():
            test_software_rules_all()
    finally:
        os.environ["TRACK_CONFIG"] = saved
        sw_refresh(saved)


def test_software_rules_all():
    """The rules test's figures for every package of both sections."""
    rs = window()
    for sec, pkgs in (("executables", lambda r: {sw_package(r["exe"][0])}),
                      ("libraries", lambda r: {sw_package(o[0]) for o in r["objects"]})):
        by = {}
        for r in rs:
            for pv in pkgs(r):
                by.setdefault(pv, []).append(r)
        def paths(pv, grs):
            if sec == "executables":
                return len({r["exe"][0] for r in grs})
            return len({o[0] for r in grs for o in r["objects"] if sw_package(o[0]) == pv})
        rows = [{"package": pv[0], "version": pv[1], "runs": len(grs), "jobs": jobs_of(grs),
                 "users": len({r["user"] for r in grs}), "cs": sum(core_us(r) for r in grs),
                 "core_hours": ch(sum(core_us(r) for r in grs)), "objects": paths(pv, grs)}
                for pv, grs in by.items()]
        rows.sort(key=lambda x: (-x["cs"], -x["runs"], x["package"] is None, x["package"] or "",
                                 x["version"] or ""))
        exp = [dict(x, rank=i + 1) for i, x in enumerate(rows)]
        cols = ["rank", "package", "version", "runs", "jobs", "users", "core_hours", "objects"]
        check(len(exp) >= 4, "software rules %s: the model has %d packages" % (sec, len(exp)))
        doc = report_json(["software", "--since", SINCE, "--until", UNTIL])
        cmp_rows("software rules %s" % sec, [r for r in doc["rows"] if r["section"] == sec], exp, cols)
        doc = report_json(["software", "--since", SINCE, "--until", UNTIL, "--limit", "2"])
        cut = [x for x in exp if x["rank"] <= 2 or x["package"] is None]
        cmp_rows("software rules %s --limit 2" % sec,
                 [r for r in doc["rows"] if r["section"] == sec], cut, cols)


def test_users():
    for kw, args in (({}, []), ({"syshost": "alpha"}, ["--syshost", "alpha"])):
        rs = window(**kw)
        g = group(rs, lambda r: [r["user"]])
        rows = [{"user": u, "runs": len(grs), "jobs": jobs_of(grs), "cs": sum(core_us(r) for r in grs),
                 "core_hours": ch(sum(core_us(r) for r in grs)),
                 "executables": len({r["exe"][0] for r in grs})} for u, grs in g.items()]
        rows.sort(key=lambda x: (-x["cs"], -x["runs"], x["user"]))
        exp = [dict(x, rank=i + 1) for i, x in enumerate(rows)]
        doc = report_json(["users", "--since", SINCE, "--until", UNTIL] + args)
        cmp_rows("users %s" % args, doc["rows"], exp, ["rank", "user", "runs", "jobs", "core_hours",
                                                        "executables"])


NOT_APPS = ("sh,bash,dash,zsh,ksh,mksh,csh,tcsh,fish,busybox,env,time,timeout,nohup,setsid,srun,"
            "sbatch,salloc,sattach,mpirun,mpiexec,orterun,orted,prte,prted,prterun,mpirun.*,"
            "mpiexec.*,hydra_pmi_proxy,hydra_nameserver,track-*")


def is_app(path, globs=NOT_APPS):
    import fnmatch
    base = b(path).rsplit(b"/", 1)[-1]
    return not any(g.strip() and fnmatch.fnmatchcase(base, b(g.strip()))
                   for g in globs.split(","))


def exp_jobs(globs=NOT_APPS, since=SINCE, until=UNTIL, **kw):
    """Per job of the window, records only (no Slurm accounting in this
    dataset): the definitions of docs/reports.md "Core-hours". A job belongs
    to the window of its first run's start."""
    t0 = int(datetime.fromisoformat(since).replace(tzinfo=timezone.utc).timestamp()) * 10**6
    t1 = int(datetime.fromisoformat(until).replace(tzinfo=timezone.utc).timestamp()) * 10**6
    keys = {job_key(r) for r in window(since, until, **kw) if job_key(r)}
    out = {}
    for k in keys:
        rs = [r for r in RUNS if job_key(r) == k]
        first = min(rs, key=lambda r: r["start_us"])
        if not t0 <= first["start_us"] < t1:
            continue
        last = max(r["start_us"] + (r["run_time_us"] if r["has_end"] else 0) for r in rs)
        elapsed_us = last - first["start_us"]
        alloc = max(cores(r) for r in rs)
        apps = {}
        for r in rs:
            if is_app(r["exe"][0]):
                name = b(r["exe"][0]).rsplit(b"/", 1)[-1]
                apps[name] = apps.get(name, 0) + core_us(r)
        app_us = sum(apps.values())
        jt = min((n for n, v in apps.items() if v == max(apps.values())), default=None)
        state = ("UNKNOWN" if not first["has_end"] else "SIGNALED" if first["signal"] is not None
                 else "COMPLETED" if first["exit_status"] == 0 else "FAILED")
        out[k] = {"elapsed_us": elapsed_us, "alloc_cpus": alloc, "app_us": app_us,
                  "job_type": jt, "state": state, "user": first["user"],
                  "failures": sum(1 for r in rs if signaled(r) or nonzero(r))}
    return out


def check_jobs(since=SINCE, until=UNTIL):
    exp = exp_jobs(since=since, until=until)
    doc = report_json(["jobs", "--since", since, "--until", until, "--limit", "100000"])
    check(len(doc["rows"]) == len(exp), "jobs: %d rows, expected %d" % (len(doc["rows"]), len(exp)))
    shell_typed = 0
    for row in doc["rows"]:
        k = (row["syshost"], row["job_id"])
        e = exp.get(k)
        if e is None:
            check(False, "jobs: unexpected job %r" % (k,))
            continue
        what = "jobs %s/%s" % k
        check(row["source"] == "records", "%s: source %r" % (what, row["source"]))
        check(abs(row["elapsed"] - e["elapsed_us"] / 10**6) <= 1, "%s: elapsed %r, expected %.1f"
              % (what, row["elapsed"], e["elapsed_us"] / 10**6))
        check(row["alloc_cpus"] == e["alloc_cpus"], "%s: alloc_cpus %r, expected %r"
              % (what, row["alloc_cpus"], e["alloc_cpus"]))
        alloc_ch = Decimal(row["elapsed"]) * row["alloc_cpus"] / 3600
        close(row["alloc_core_hours"], alloc_ch, what + " alloc_core_hours")
        close(row["tracked_core_hours"], min(ch(e["app_us"]), alloc_ch), what + " tracked_core_hours")
        check(Decimal(str(row["tracked_core_hours"])) <= Decimal(str(row["alloc_core_hours"])),
              "%s: tracked %s > allocated %s" % (what, row["tracked_core_hours"], row["alloc_core_hours"]))
        jt = row["job_type"]
        check((b(jt) if jt is not None else None) == e["job_type"],
              "%s: job_type %r, expected %r" % (what, jt, e["job_type"]))
        shell_typed += jt in ("bash", "sh", "dash")
        check(row["state"] == e["state"], "%s: state %r, expected %r" % (what, row["state"], e["state"]))
        check(row["failures"] == e["failures"], "%s: failures %r, expected %r"
              % (what, row["failures"], e["failures"]))
    check(shell_typed == 0, "jobs: %d jobs typed as a shell" % shell_typed)
    return exp, doc


def test_jobs():
    """Without Slurm accounting the job facts come from the records; the
    tracked core-hours never exceed the allocation; shells are not
    applications; a job belongs to the window of its first start."""
    # job 9002 runs across midnight: the day it started has it whole, the
    # next day (where a run of it starts) does not
    e25, _ = check_jobs("2024-02-25", "2024-02-26")
    e26, _ = check_jobs("2024-02-26", "2024-02-27")
    check(("alpha", "9002") in e25 and e25[("alpha", "9002")]["elapsed_us"] == 1200 * 10**6,
          "jobs: job 9002 not in the window of its first start with its whole span")
    check(("alpha", "9002") not in e26 and any(job_key(r) == ("alpha", "9002")
                                               for r in window("2024-02-26", "2024-02-27")),
          "jobs: job 9002 in the window of its second run")
    exp, doc = check_jobs()
    # --not-applications nothing makes every executable an application: bash
    # (the batch shells of this dataset) becomes the type of some jobs.
    doc = report_json(["jobs", "--since", SINCE, "--until", UNTIL, "--limit", "100000",
                       "--not-applications", "nothing"])
    check(any(r["job_type"] == "bash" for r in doc["rows"]), "jobs --not-applications: no bash job")
    # utilisation: per user, the jobs' sums.
    doc = report_json(["utilisation", "--since", SINCE, "--until", UNTIL, "--limit", "1000"])
    users = {}
    for k, e in exp.items():
        u = users.setdefault(e["user"], [0, 0])
        u[0] += 1
    got = {r["name"]: r for r in doc["rows"] if r["section"] == "user"}
    check(set(got) == set(users), "utilisation: users %r, expected %r" % (sorted(got), sorted(users)))
    for u, (n, _) in users.items():
        if u in got:
            check(got[u]["jobs"] == n, "utilisation %s: jobs %r, expected %r" % (u, got[u]["jobs"], n))
            check(got[u]["sources"] == "records", "utilisation %s: sources %r" % (u, got[u]["sources"]))
            check(got[u]["tracked_percent"] is None or got[u]["tracked_percent"] <= 100,
                  "utilisation %s: tracked_percent %r" % (u, got[u]["tracked_percent"]))
    # summary: the jobs' sums and the source.
    doc = report_json(["summary", "--since", SINCE, "--until", UNTIL])
    jdoc = report_json(["jobs", "--since", SINCE, "--until", UNTIL, "--limit", "100000"])
    if doc["rows"]:
        sm = doc["rows"][0]
        check(sm["job_source"] == "records", "summary: job_source %r" % sm["job_source"])
        close(sm["alloc_core_hours"], sum(Decimal(str(r["alloc_core_hours"])) for r in jdoc["rows"]),
              "summary alloc_core_hours")
        check(sm["tracked_core_hours"] <= sm["alloc_core_hours"], "summary: tracked > allocated")


def test_failures(filt=(), kw=None):
    rs = window(**(kw or {}))
    g = group(rs, lambda r: [r["exe"][0]])
    rows = []
    for path, grs in g.items():
        f = [r for r in grs if failed(r)]
        if not f:
            continue
        rows.append({"executable": path, "runs": len(grs), "failed": len(f),
                     "no_end": sum(1 for r in grs if no_end(r)), "signaled": sum(1 for r in grs if signaled(r)),
                     "nonzero_exit": sum(1 for r in grs if nonzero(r)),
                     "signals": ",".join(str(s) for s in sorted({r["signal"] for r in f if signaled(r)})) or None,
                     "users": len({r["user"] for r in f}), "jobs": jobs_of(f),
                     "last_failure": date_str(max(r["start_us"] for r in f))})
    rows.sort(key=lambda x: (-x["failed"], -x["runs"], b(x["executable"])))
    exp = [dict(x, rank=i + 1) for i, x in enumerate(rows)]
    if not filt:
        check(any(exec_replaced(r) for r in rs), "dataset has exec-replaced runs")
        check(any(no_end(r) for r in rs), "dataset has killed runs without an end")
    check(bool(exp), "failures %s: the window has failures" % list(filt))
    doc = report_json(["failures", "--since", SINCE, "--until", UNTIL] + list(filt))
    cmp_rows("failures %s" % list(filt), doc["rows"], exp,
             ["rank", "executable", "runs", "failed", "no_end", "signaled", "nonzero_exit", "signals",
              "users", "jobs", "last_failure"])


def test_env():
    for name in ("OMP_NUM_THREADS", "NOT_RECORDED_VAR"):
        rs = window()
        g = group(rs, lambda r: [r["exe"][0]])
        tot = sorted(((len(grs), p) for p, grs in g.items()), key=lambda t: (-t[0], b(t[1])))
        exp = []
        for i, (total, path) in enumerate(tot[:20]):
            vals = group(g[path], lambda r: [r["env"].get(name)])
            rows = [{"rank": i + 1, "executable": path, "value": v, "runs": len(vr),
                     "percent": round(100.0 * len(vr) / total, 1), "users": len({r["user"] for r in vr}),
                     "jobs": jobs_of(vr)} for v, vr in vals.items()]
            rows.sort(key=lambda x: (-x["runs"], "" if x["value"] is None else "1" + x["value"]))
            exp += rows
        doc = report_json(["env", name, "--since", SINCE, "--until", UNTIL])
        got = [dict(x, percent=float(x["percent"]) if x["percent"] is not None else None) for x in doc["rows"]]
        cmp_rows("env %s" % name, got, exp, ["rank", "executable", "value", "runs", "users", "jobs"])
        for gx, ex in zip(got, exp):
            check(abs(gx["percent"] - ex["percent"]) < 0.051, "env %s percent %s vs %s" % (name, gx, ex))


def test_job():
    # the job with the most runs that holds an exec chain
    jobs = group([r for r in RUNS if r["job"]], lambda r: [job_key(r)])
    cands = [k for k, rs in jobs.items() if any(exec_replaced(r) for r in rs)]
    key = max(cands, key=lambda k: (len(jobs[k]), k))
    rs = jobs[key]
    ids = {r["uuid"] for r in rs}
    kids = {}
    for r in rs:
        kids.setdefault(r["parent"] if r["parent"] in ids else None, []).append(r)
    order = []

    def walk(p, depth):
        for r in sorted(kids.get(p, []), key=lambda x: (x["start_us"], x["uuid"].replace("-", ""))):
            if r["signal"] is not None and r["has_end"]:
                end = "signal %d" % r["signal"]
            elif r["has_end"]:
                end = "exit %d" % r["exit_status"]
            elif exec_replaced(r):
                end = "exec"
            else:
                end = "no end"
            order.append({"depth": depth, "run_uuid": r["uuid"], "pid": r["pid"], "end": end,
                          "exe_path": r["exe"][0], "syshost": r["syshost"],
                          "program": "  " * depth + r["exe"][0].rsplit("/", 1)[-1]})
            walk(r["uuid"], depth + 1)
    walk(None, 0)
    check(any(x["end"] == "exec" for x in order), "job %s: has an exec" % (key,))
    doc = report_json(["job", key[1], "--syshost", key[0]])
    cmp_rows("job %s" % (key,), doc["rows"], order, ["depth", "run_uuid", "pid", "end", "exe_path", "syshost",
                                                     "program"])
    check(doc.get("since") is None and doc.get("until") is None, "job: no window unless given")
    doc = report_json(["job", "999999999"])
    check(doc["rows"] == [], "job: an unknown job has no rows")


def test_empty_period():
    for rep in ("executables", "libraries", "modules", "users", "failures", "software"):
        doc = report_json([rep, "--since", "2023-01-01", "--until", "2023-02-01"])
        check(doc["rows"] == [], "%s: empty period gives no rows" % rep)
        p = run([rep, "--since", "2023-01-01", "--until", "2023-02-01", "--format", "csv"])
        check(p.stdout.count(b"\r\n") == 1, "%s: empty CSV is the header line only" % rep)
        p = run([rep, "--since", "2023-01-01", "--until", "2023-02-01"])
        check(b"(no runs)" in p.stdout, "%s: empty table says so" % rep)
    doc = report_json(["summary", "--since", "2023-01-01", "--until", "2023-02-01"])
    check(len(doc["rows"]) == 1 and doc["rows"][0]["runs"] == 0 and Decimal(str(doc["rows"][0]["core_hours"])) == 0,
          "summary: empty period gives zeros")
    doc = report_json(["who-used", "--library", "*", "--since", "2023-01-01", "--until", "2023-02-01"])
    check(doc["rows"] == [], "who-used: empty period")
    # the default window: the 30 days up to today (the dataset is in 2024)
    doc = report_json(["summary"])
    today = datetime.now(timezone.utc).date()
    ok = any(doc.get("until") == str(d + timedelta(days=1)) and doc.get("since") == str(d - timedelta(days=29))
             for d in (today, today - timedelta(days=1)))
    check(ok, "default window is the last 30 days: %s..%s" % (doc.get("since"), doc.get("until")))


def csv_text(v):
    if v is None:
        return ""
    if isinstance(v, str):
        out = []
        for ch_ in v:
            o = ord(ch_)
            if 0xDC80 <= o <= 0xDCFF:
                out.append("\\x%02x" % (o - 0xDC00))
            elif ch_ == "\\":
                out.append("\\\\")
            elif o < 0x20 or o == 0x7F:
                out.append("\\x%02x" % o)
            else:
                out.append(ch_)
        return "".join(out)
    return str(v)


def test_csv_matches_json():
    for args in (["executables"], ["libraries"], ["failures"], ["who-used", "--library", "lib*"],
                 ["env", "OMP_NUM_THREADS"], ["summary"], ["users"], ["modules"], ["software"]):
        a = args + ["--since", SINCE, "--until", UNTIL]
        doc = report_json(a)
        p = run(a + ["--format", "csv"])
        raw = p.stdout
        check(raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""),
              "%s: CSV lines end in CRLF" % args)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            check(False, "%s: CSV is not valid UTF-8" % args)
            continue
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        check(rows and rows[0] == doc["columns"], "%s: CSV header = JSON columns" % args)
        check(len(rows) - 1 == len(doc["rows"]), "%s: CSV rows = JSON rows" % args)
        for i, (cr, jr) in enumerate(zip(rows[1:], doc["rows"])):
            exp = [csv_text(jr[c]) for c in doc["columns"]]
            check(cr == exp, "%s: CSV row %d %r != %r" % (args, i + 1, cr, exp))
    # the non-UTF-8 path is escaped for display in table and CSV
    p = run(["executables", "--since", SINCE, "--until", UNTIL])
    check(b"/home/bob/bin/\\xff\\xfeweird" in p.stdout, "table shows non-UTF-8 bytes as \\xNN")
    p.stdout.decode("utf-8")


def test_sql_client():
    """The SQL files are usable from the mariadb client with session variables."""
    sqldir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sql", "reports")
    with open(os.path.join(sqldir, "summary.sql"), encoding="utf-8") as f:
        script = "SET @since = '%s', @until = '%s', @user = 'carol';\n" % (SINCE, UNTIL) + f.read()
    p = subprocess.run(SQLCLIENT + ["--batch"], input=script.encode(), capture_output=True)
    check(p.returncode == 0, "mariadb client summary.sql: %s" % p.stderr.decode(errors="replace"))
    lines = p.stdout.decode().strip().split("\n")
    if len(lines) == 2:
        rec = dict(zip(lines[0].split("\t"), lines[1].split("\t")))
        e = exp_summary(window(user="carol"))
        check(int(rec["runs"]) == e["runs"] and int(rec["jobs"]) == e["jobs"],
              "mariadb client summary.sql for carol: %s vs %s" % (rec, e))
    else:
        check(False, "mariadb client summary.sql output: %r" % lines)


def test_bad_options():
    bad = [
        (["summary", "--since", "2024-13-01"], "--since"),
        (["summary", "--since", "2024-02-30"], "--since"),
        (["summary", "--until", "yesterday"], "--until"),
        (["summary", "--since", "2024-03-05", "--until", "2024-03-05"], "--since"),
        (["summary", "--limit", "0"], "--limit"),
        (["summary", "--limit", "12x"], "--limit"),
        (["summary", "--format", "xml"], "--format"),
        (["summary", "--bogus"], "--bogus"),
        (["summary", "--user"], "--user"),
        (["summary", "--user", ""], "--user"),
        (["nosuchreport"], "nosuchreport"),
        ([], "no report"),
        (["who-used"], "who-used"),
        (["who-used", "--build-id", "xyz"], "--build-id"),
        (["who-used", "--signature", "not-a-uuid"], "--signature"),
        (["summary", "--library", "libc*"], "--library"),
        (["job"], "job"),
        (["job", "12;DROP TABLE track_run"], "job"),
        (["env", "1BAD"], "env"),
        (["summary", "extra"], "extra"),
        (["daily", "--by", "host"], "--by"),
        (["summary", "--by", "user"], "--by"),
    ]
    for args, name in bad:
        p = run(args, expect_rc=2)
        err = p.stderr.decode(errors="replace")
        check(err.count("\n") == 1 and name in err and p.stdout == b"",
              "%s: one-line error naming %r, got %r" % (args, name, err))
    p = subprocess.run([BIN, "summary", "--config", "/nonexistent/track.conf"], capture_output=True)
    check(p.returncode == 3 and b"/nonexistent/track.conf" in p.stderr, "missing --config: exit 3 naming it")
    p = subprocess.run([BIN, "summary", "--defaults-file", "/nonexistent/my.cnf"], capture_output=True)
    check(p.returncode == 3 and b"/nonexistent/my.cnf" in p.stderr, "missing --defaults-file: exit 3")
    p = run(["summary", "--sql-dir", "/nonexistent"], expect_rc=3)
    check(b"/nonexistent/summary.sql" in p.stderr, "missing SQL: names the file")
    p = subprocess.run([BIN, "--help"], capture_output=True)
    check(p.returncode == 0 and b"who-used" in p.stdout, "--help")
    # user input is data, never SQL: a quote in a filter matches nothing and breaks nothing
    doc = report_json(["summary", "--since", SINCE, "--until", UNTIL, "--user", "bob' OR '1'='1"])
    check(doc["rows"] and doc["rows"][0]["runs"] == 0, "a quote in --user is just data")


def cpu_us(r):
    return r["run_time_us"] // 2 if r["has_end"] else 0   # gen_dataset: utime = run_time / 2


def day_of(r):
    return datetime.fromtimestamp(r["start_us"] // 10**6, timezone.utc).strftime("%Y-%m-%d")


DAILY_BY = {None: None, "user": lambda r: r["user"], "account": account, "partition": partition,
            "syshost": lambda r: r["syshost"], "executable": lambda r: r["exe"][0],
            "application": lambda r: r["exe"][0].rsplit("/", 1)[-1]}


def exp_daily(rs, by):
    """{(day, group): row} computed from the model, one row per day and group."""
    groups = {}
    if by == "application":   # runs of shells, srun, mpirun... are no application's
        rs = [r for r in rs if is_app(r["exe"][0])]
    for r in rs:
        groups.setdefault((day_of(r), DAILY_BY[by](r) if by else None), []).append(r)
    return {k: {"runs": len(g), "jobs": jobs_of(g), "users": len({r["user"] for r in g}),
                "core_hours": ch(sum(core_us(r) for r in g)), "cpu_hours": ch(sum(cpu_us(r) for r in g)),
                "failures": sum(1 for r in g if failed(r)), "_cs": sum(core_us(r) for r in g)}
            for k, g in groups.items()}


def test_daily():
    """Per-day numbers (from the roll-up track-ingest keeps) against the model."""
    cases = [([], {}), (["--user", "bob"], {"user": "bob"}), (["--syshost", "beta"], {"syshost": "beta"})]
    for by in DAILY_BY:
        for args, kw in cases if by in (None, "executable", "application") else cases[:1]:
            a = ["daily", "--since", SINCE, "--until", UNTIL] + args + (["--by", by] if by else [])
            doc = report_json(a)
            exp = exp_daily(window(**kw), by)
            what = " ".join(a)
            check(doc["columns"] == ["day"] + ([by] if by else []) +
                  ["runs", "jobs", "users", "core_hours", "cpu_hours", "failures"],
                  "%s: columns %r" % (what, doc["columns"]))
            got = {(g["day"], g.get(by) if by else None): g for g in doc["rows"]}
            check(len(got) == len(doc["rows"]), "%s: one row per day and group" % what)
            check(set(got) == set(exp), "%s: days and groups %r, expected %r" %
                  (what, sorted(set(got) ^ set(exp), key=repr)[:5], "the model's"))
            for k in sorted(set(got) & set(exp), key=repr):
                g, e = got[k], exp[k]
                for col in ("runs", "jobs", "users", "failures"):
                    check(g[col] == e[col], "%s %r: %s = %r, expected %r" % (what, k, col, g[col], e[col]))
                close(g["core_hours"], e["core_hours"], "%s %r core_hours" % (what, k))
                close(g["cpu_hours"], e["cpu_hours"], "%s %r cpu_hours" % (what, k))
            days = [g["day"] for g in doc["rows"]]
            check(days == sorted(days), "%s: rows in day order" % what)
    # job 9001 ran /opt/apps/lammps/bin/lmp and /home/carol/bin/lmp: one lmp job, two paths
    for by, n in (("application", {"lmp": 1}), ("executable", {"/opt/apps/lammps/bin/lmp": 1,
                                                               "/home/carol/bin/lmp": 1})):
        doc = report_json(["daily", "--since", "2024-02-20", "--until", "2024-02-21", "--by", by])
        exp = exp_daily(window("2024-02-20", "2024-02-21"), by)
        got = {(g["day"], g[by]): (g["runs"], g["jobs"], g["failures"]) for g in doc["rows"]}
        check(got == {k: (e["runs"], e["jobs"], e["failures"]) for k, e in exp.items()},
              "daily --by %s on 2024-02-20: %r" % (by, got))
        check({k[1]: v[1] for k, v in got.items() if "lmp" in k[1]} == n,
              "daily --by %s on 2024-02-20: lmp jobs %r" % (by, got))
    # --not-applications is the reader's setting: with none, shells are applications too
    doc = report_json(["daily", "--since", SINCE, "--until", UNTIL, "--by", "application",
                       "--not-applications", "nothing"])
    exp = {}
    for r in window():
        k = (day_of(r), r["exe"][0].rsplit("/", 1)[-1])
        exp[k] = exp.get(k, 0) + 1
    got = {(g["day"], g["application"]): g["runs"] for g in doc["rows"]}
    check(got == exp, "daily --by application --not-applications nothing: runs per day and name")
    check(any(k[1] == "bash" for k in got), "daily --by application --not-applications nothing: bash")
    # --limit 1: each day's group with the most core-hours
    doc = report_json(["daily", "--since", SINCE, "--until", UNTIL, "--by", "user", "--limit", "1"])
    exp = exp_daily(window(), "user")
    top = {}
    for (day, u), e in exp.items():
        if day not in top or e["_cs"] > exp[(day, top[day])]["_cs"]:
            top[day] = u
    check(sorted((g["day"], g["user"]) for g in doc["rows"]) == sorted(top.items()),
          "daily --by user --limit 1: the top user of each day")


def test_db_down(bad_cnf):
    p = subprocess.run([BIN, "summary", "--defaults-file", bad_cnf], capture_output=True)
    check(p.returncode == 1 and p.stderr.count(b"\n") == 1 and b"cannot connect" in p.stderr,
          "unreachable database: exit 1, one line (%r)" % p.stderr)


def main():
    only = os.environ.get("REPORT_ONLY")   # e.g. "daily,summary": the roll-up test
    if only:
        for name in only.split(","):
            globals()["test_" + name]()
        print("check_reports: %d checks, %d failed" % (checks, len(failures)))
        return 1 if failures else 0
    test_summary()
    test_executables()
    test_executables(["--user", "alice"], {"user": "alice"})
    test_libraries()
    test_libraries(["--user", "alice"], {"user": "alice"})
    test_who_used()
    test_who_used(["--user", "alice"], {"user": "alice"})
    test_modules()
    test_software()
    test_software_rules()
    test_users()
    test_failures()
    test_failures(["--account", "chem"], {"acct": "chem"})
    test_jobs()
    test_env()
    test_job()
    test_daily()
    test_empty_period()
    test_csv_matches_json()
    test_sql_client()
    test_bad_options()
    if os.environ.get("REPORT_BAD_CNF"):
        test_db_down(os.environ["REPORT_BAD_CNF"])
    print("check_reports: %d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
