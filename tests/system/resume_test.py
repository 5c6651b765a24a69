"""Persistent queries outlive the process that started them: a new `sluice` process on the same
data dir resumes every query that was RUNNING, and they process input that arrived meanwhile.
Also: a second process cannot open a data dir in use, and an unusable data dir is a fatal error."""

import os
import select
import subprocess

from sluice_driver import check, main, run_sql


def test(binary, temp):
    run_sql(binary, temp,
            "CREATE STREAM orders (id BIGINT, amount DOUBLE) WITH ('partitions'=3);"
            "CREATE STREAM big AS SELECT id, amount * 2 AS doubled FROM orders WHERE amount > 10;"
            "INSERT INTO orders VALUES (1, 5.0), (2, 50.0);"
            "FLUSH;")
    # The engine that started the query has exited; a new one resumes it.
    out = run_sql(binary, temp, "SHOW QUERIES;", extra=("--format", "csv"))
    check("RUNNING" in out, "query not RUNNING after reopen:\n" + out)
    run_sql(binary, temp, "INSERT INTO orders VALUES (3, 100.0), (4, 1.0);")
    out = run_sql(binary, temp, "FLUSH; SELECT id, doubled FROM big LIMIT 2;",
                  extra=("--format", "csv"))
    rows = sorted(line for line in out.splitlines() if line and line[0].isdigit())
    check(rows == ["2,100.0", "3,200.0"] or rows == ["2,100", "3,200"],
          "resumed query output wrong:\n" + out)

    # A data dir held by a running engine is refused with a clear message.
    holder = subprocess.Popen([binary, "--data-dir", temp.data_dir], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=temp.env())
    try:
        holder.stdin.write(b"SELECT id FROM orders;\n")  # a continuous query: keeps it open
        holder.stdin.flush()
        # Once the holder prints rows it has the data dir; only then try a second process.
        ready, _, _ = select.select([holder.stdout], [], [], 60)
        check(bool(ready) and holder.stdout.readline(), "holder printed nothing")
        proc = subprocess.run([binary, "--data-dir", temp.data_dir, "-c", "SHOW DATABASES;"],
                              capture_output=True, text=True, env=temp.env(), timeout=60)
        check("in use" in proc.stderr, "second process was not refused:\n" + proc.stderr)
        check(proc.returncode == 1, f"refused open exited {proc.returncode}, wanted 1")
    finally:
        holder.kill()
        holder.wait()

    # A data dir that is a file is a fatal start-up error (exit 1).
    bad = os.path.join(temp.root, "not-a-dir")
    with open(bad, "w") as handle:
        handle.write("x")
    proc = subprocess.run([binary, "--data-dir", bad, "-c", "SHOW DATABASES;"],
                          capture_output=True, text=True, env=temp.env(), timeout=60)
    check(proc.returncode == 1, f"unusable data dir exited {proc.returncode}, wanted 1")
    check("not a directory" in proc.stderr or "cannot create" in proc.stderr,
          "unclear start-up error:\n" + proc.stderr)


main(test)
