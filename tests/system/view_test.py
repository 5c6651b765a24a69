"""A materialized view keeps exactly its contents across worker crashes and engine restarts: its
store commits each batch of updates with the source positions they reflect, so a worker killed
with SIGKILL at any moment and resumed applies nothing twice and loses nothing. Reads come from
the engine process (a RocksDB secondary of the worker's store) while the worker writes, and
another `sluice -c` process reads the same view after the shell has gone."""

import os
import random
import re
import signal
import time

from sluice_driver import check, main, restarting_shell, run_sql

KEYS = 20


def insert_rows(shell_or_none, binary, temp, start, count):
    """Appends rows start..start+count-1 (key i % KEYS, value i); returns the SQL used."""
    statements = []
    for chunk in range(start, start + count, 50):  # short lines for the terminal
        end = min(chunk + 50, start + count)
        values = ", ".join(f"({i}, 'k{i % KEYS}', {i})" for i in range(chunk, end))
        statements.append(f"INSERT INTO src VALUES {values};")
    if shell_or_none is not None:
        for sql in statements:
            shell_or_none.statement(sql, timeout=60)
    else:
        run_sql(binary, temp, " ".join(statements))


def expected(total_rows):
    counts, sums = {}, {}
    for i in range(total_rows):
        key = f"k{i % KEYS}"
        counts[key] = counts.get(key, 0) + 1
        sums[key] = sums.get(key, 0) + i
    return {key: (counts[key], sums[key]) for key in counts}


def parse_table(text):
    """Rows `k | n | total` of the shell's table output."""
    rows = {}
    for match in re.finditer(r"\b(k\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\b", text):
        rows[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return rows


def read_view(shell):
    start = len(shell.output)
    shell.statement("SELECT k, n, total FROM per_key ORDER BY k;")
    return parse_table(shell.output[start:]), shell.output[start:]


def worker_pid(shell, query_id):
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {query_id};")
    match = re.search(r"worker pid\s*\|?\s*(\d+)", shell.output[start:])
    check(match is not None, "no worker pid:\n" + shell.output[start:])
    return int(match.group(1))


def wait_restarted(shell, query_id, old_pid):
    """The supervisor restarts a killed worker from its last checkpoint: wait for the new one."""
    deadline = time.monotonic() + 20
    while True:
        start = len(shell.output)
        shell.statement(f"DESCRIBE QUERY {query_id};")
        match = re.search(r"worker pid\s*\|?\s*(\d+)", shell.output[start:])
        if match is not None and int(match.group(1)) != old_pid and \
                re.search(r"RUNNING", shell.output[start:]):
            return
        check(time.monotonic() < deadline, "killed worker was never restarted:\n" +
              shell.output[start:])
        time.sleep(0.1)


def test(binary, temp):
    shell = restarting_shell(binary, temp)
    total = 0
    try:
        shell.expect(r"sluice:\S*> ")
        shell.statement("CREATE STREAM src (id BIGINT, k VARCHAR, v BIGINT)"
                        " WITH ('timestamp'='id', 'partitions'=2);")
        shell.statement("CREATE MATERIALIZED VIEW per_key AS"
                        " SELECT k, COUNT(*) AS n, SUM(v) AS total FROM src GROUP BY k;")
        insert_rows(shell, binary, temp, 0, 500)
        total = 500
        shell.statement("FLUSH;")
        rows, text = read_view(shell)
        check(rows == expected(total), "view after the first batch:\n" + text)

        # Kill the worker 20 times (the supervisor restarts it from its last checkpoint) at various moments: right after an append (while it works
        # through the rows), after a FLUSH (idle), and after a short random pause.
        rng = random.Random(5)
        for round_idx in range(20):
            insert_rows(shell, binary, temp, total, 150)
            total += 150
            if round_idx % 3 == 1:
                shell.statement("FLUSH;")
            elif round_idx % 3 == 2:
                time.sleep(rng.uniform(0.0, 0.05))
            pid = worker_pid(shell, 1)
            os.kill(pid, signal.SIGKILL)
            wait_restarted(shell, 1, pid)
            shell.statement("FLUSH;")
            rows, text = read_view(shell)
            check(rows == expected(total),
                  f"view after kill {round_idx + 1} differs (double counted or lost):\n" + text)

        # A point read while the worker keeps running.
        start = len(shell.output)
        shell.statement("SELECT k, n, total FROM per_key WHERE k = 'k7';")
        check(parse_table(shell.output[start:]) == {"k7": expected(total)["k7"]},
              "point read:\n" + shell.output[start:])
        shell.send("\\q\n")
        shell.wait_exit()
    finally:
        shell.close()

    # Another process opens the data dir: the query resumes, the view kept its contents.
    insert_rows(None, binary, temp, total, 200)
    total += 200
    out = run_sql(binary, temp, "FLUSH; SELECT k, n, total FROM per_key ORDER BY k;",
                  extra=("--format", "csv"))
    rows = {}
    for line in out.splitlines():
        parts = line.split(",")
        if len(parts) == 3 and parts[0].startswith("k") and parts[1].isdigit():
            rows[parts[0]] = (int(parts[1]), int(parts[2]))
    check(rows == expected(total), "view read by a new process:\n" + out)
    # A view whose query is stopped still answers, with what it held last, and says so.
    out = run_sql(binary, temp, "TERMINATE QUERY 1; SELECT COUNT(*) FROM per_key;")
    check("TERMINATED" in out and "last update" in out and "20" in out,
          "read of a stopped view:\n" + out)
    out = run_sql(binary, temp, "DROP MATERIALIZED VIEW per_key; SHOW MATERIALIZED VIEWS;")
    check("per_key" not in out.split("DROP")[-1], "view not dropped:\n" + out)
    check(not os.path.exists(os.path.join(temp.data_dir, "state", "1", "view")),
          "DROP left the view store behind")


main(test)
