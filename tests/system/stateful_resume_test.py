"""A stateful persistent query keeps its aggregates across engine restarts: operator state and
source positions are committed together (StateStore), so a reopened data dir resumes counting
where the query left off instead of starting over with empty groups or windows."""

from sluice_driver import check, main, run_sql


def rows_of(out):
    """The data rows of --format csv output (the header line and command tags dropped)."""
    lines = [line for line in out.splitlines() if "," in line]
    return lines[1:]


def test(binary, temp):
    run_sql(binary, temp,
            "CREATE STREAM orders (ts BIGINT, customer VARCHAR, amount BIGINT)"
            " WITH ('timestamp'='ts', 'partitions'=2);"
            "CREATE CHANGELOG per_customer AS"
            " SELECT customer, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY customer;"
            "CREATE STREAM per_window AS SELECT window_start, COUNT(*) AS n, SUM(amount) AS total"
            " FROM TUMBLE(orders, SIZE 10 SECOND) GROUP BY window_start, window_end;"
            "INSERT INTO orders VALUES (1000, 'a', 1), (2000, 'a', 2), (3000, 'b', 5);"
            "FLUSH;")
    # Each statement below runs in a new engine process: the queries are resumed each time.
    run_sql(binary, temp, "INSERT INTO orders VALUES (4000, 'a', 4);")
    run_sql(binary, temp, "FLUSH;")
    # Both partitions past 10 s (rows go round-robin): the window closes. Partition 1 is held at
    # 2 s by its checkpointed event time until then, as in a run without restarts.
    # The changelog then holds six updates (a three, b two, d one) over two partitions: read all.
    run_sql(binary, temp, "INSERT INTO orders VALUES (25000, 'b', 10), (26000, 'd', 0);")
    out = run_sql(binary, temp,
                  "FLUSH; SELECT customer, n, total FROM per_customer LIMIT 6;",
                  extra=("--format", "csv"))
    rows = rows_of(out)
    last = {}
    for row in rows:
        customer, n, total = row.split(",")
        last[customer] = (n, total)
    check(last.get("a") == ("3", "7"), "customer a after restarts: %s\n%s" % (last.get("a"), out))
    check(last.get("b") == ("2", "15"), "customer b after restarts: %s\n%s" % (last.get("b"), out))
    out = run_sql(binary, temp, "SELECT n, total FROM per_window LIMIT 1;",
                  extra=("--format", "csv"))
    check(rows_of(out) == ["4,12"], "window [0 s, 10 s) after restarts:\n" + out)
    # The watermark is checkpointed too: a record behind it (the window [0 s, 10 s) closed before
    # the restart) is late in the restarted worker, not counted into a reopened window.
    # One process inserts and describes: its worker (resumed from the checkpoint) is the one
    # that reads the record, and a worker's counts start with it.
    out = run_sql(binary, temp, "INSERT INTO orders VALUES (5000, 'c', 100); FLUSH; "
                  "DESCRIBE QUERY 2;", extra=("--format", "csv"))
    check("late records,1" in out, "record behind the restored watermark not late:\n" + out)
    # DESCRIBE QUERY shows the last checkpoint: its id, age, duration and the state's size.
    out = run_sql(binary, temp, "FLUSH; DESCRIBE QUERY 1;", extra=("--format", "csv"))
    fields = dict(line.split(",", 1) for line in out.splitlines() if "," in line)
    for name in ("checkpoint", "checkpoint age ms", "checkpoint duration ms", "state size bytes"):
        check(name in fields, "DESCRIBE QUERY lacks %r:\n%s" % (name, out))
    check(int(fields["checkpoint"]) >= 1 and int(fields["state size bytes"]) > 0,
          "implausible checkpoint fields:\n" + out + "\n" + repr(fields))


main(test)
