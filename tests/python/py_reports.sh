# Sourced by py_pipeline.sh after the load: track-report packages and
# who-used --python-package against what the database was given. Run
# times are set here so that core-hours are not all 0.00: each Python run
# of job 501 half an hour, of job 502 an hour (one core each).
sql "UPDATE track_run r JOIN track_py_run p ON p.run_uuid = r.run_uuid
     SET r.run_time = IF(r.job_id = '501', 1800, 3600)"
# A package record whose run never arrived counts nowhere. (The user
# column is the uid's name, not the records' USER=alice: docs/trust.md.)
sql "INSERT INTO track_py_run (run_uuid, uid, job_id, syshost, host, time, py_version,
       py_implementation, py_environment, py_executable, py_prefix, package_set_id, npackages)
     SELECT UNHEX(REPLACE(UUID(), '-', '')), uid, job_id, syshost, host, time, py_version,
       py_implementation, py_environment, py_executable, py_prefix, package_set_id, npackages
     FROM track_py_run WHERE npackages = 2 LIMIT 1"
yv=$(dpkg-query -W -f='${Version}' python3-yaml | cut -d- -f1)
out=$("$TR" packages --format csv) || fail "packages: $out"
echo "$out"
expect "packages report" "package,version,runs,jobs,users,core_hours,sources,pythons
numpy,$nv,3,2,1,2.00,system,3.11
PyYAML,$yv,3,1,1,1.50,system,3.11" "$(echo "$out" | tr -d '\r')"
expect "packages of another user" "package,version,runs,jobs,users,core_hours,sources,pythons" \
    "$("$TR" packages --format csv --user nobody-else | tr -d '\r')"
expect "packages --limit 1" 2 "$("$TR" packages --format csv --limit 1 | wc -l)"
out=$("$TR" who-used --python-package 'NumPy==1.*' --format csv | tr -d '\r' | cut -d, -f1,3,5,6,7,9,10)
expect "who-used numpy 1.x" "user,job_id,package,version,sources,runs,core_hours
$(id -un),501,numpy,$nv,system,2,1.00
$(id -un),502,numpy,$nv,system,1,1.00" "$out"
expect "who-used pyyaml (names compared as pip does)" 3 \
    "$("$TR" who-used --python-package "pyyaml==$yv" --format csv | tr -d '\r' | sed -n 2p | cut -d, -f9)"
expect "who-used numpy 2.x" 1 "$("$TR" who-used --python-package 'numpy==2.*' --format csv | wc -l)"
expect "who-used numpy, exact version" 3 "$("$TR" who-used --python-package "numpy==$nv" --format csv | wc -l)"
"$TR" who-used --python-package numpy
"$TR" packages
