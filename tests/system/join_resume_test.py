"""Persistent joins keep their state across engine restarts: the buffered rows of an interval join
and the versions of a temporal join are checkpointed with both sources' positions, so a restarted
worker matches rows that arrive after the restart with rows read before it, emits outer rows for
intervals opened before it, and neither repeats nor loses output."""

from sluice_driver import check, main, run_sql


def rows_of(out):
    """The data rows of --format csv output (the header line and command tags dropped)."""
    lines = [line for line in out.splitlines() if "," in line]
    return lines[1:]


def test(binary, temp):
    run_sql(binary, temp,
            "CREATE STREAM clicks (ts BIGINT, user_id VARCHAR, page VARCHAR)"
            " WITH ('timestamp'='ts', 'partitions'=2);"
            "CREATE STREAM views (ts BIGINT, user_id VARCHAR, ad VARCHAR)"
            " WITH ('timestamp'='ts', 'partitions'=2);"
            "CREATE CHANGELOG users (user_id VARCHAR, region VARCHAR, ts BIGINT,"
            " PRIMARY KEY (user_id)) WITH ('timestamp'='ts', 'partitions'=2);"
            # The first records go in before the queries start: a partition that has seen no
            # record does not hold the watermark back (docs/windows.md), so had a worker read
            # clicks' 2 s in one partition before the 1 s in the other was appended, the 1 s
            # click would be late. Records a partition held at the start hold it until read.
            "INSERT INTO users VALUES ('u1', 'eu', 0), ('u2', 'us', 0);"
            "INSERT INTO clicks VALUES (1000, 'u1', 'p1'), (2000, 'u2', 'p2');"
            "INSERT INTO views VALUES (500, 'x', 'ad0');"
            "CREATE STREAM click_views AS SELECT c.ts, c.user_id, page, ad"
            " FROM clicks c LEFT JOIN views v WITHIN 5 SECONDS ON c.user_id = v.user_id;"
            "CREATE STREAM click_regions AS SELECT c.ts, c.user_id, region"
            " FROM clicks c JOIN users u ON c.user_id = u.user_id;"
            "FLUSH;")
    # Each statement below runs in a new engine process: the queries are resumed each time.
    # The view for u1 arrives after a restart and matches the click buffered before it.
    run_sql(binary, temp, "INSERT INTO views VALUES (3000, 'u1', 'ad1');")
    run_sql(binary, temp, "FLUSH;")
    # u1 moves to asia; later clicks see it, earlier output stays.
    run_sql(binary, temp, "INSERT INTO users VALUES ('u1', 'asia', 4000);")
    run_sql(binary, temp, "FLUSH;")
    # Both sides pass 2 s + 5 s: u2's click (no view) comes out with NULLs; u1's click at 9 s is
    # 6 s after its view (no match) and comes out with NULLs once both sides pass 14 s.
    run_sql(binary, temp, "INSERT INTO clicks VALUES (9000, 'u1', 'p3');"
                          "INSERT INTO views VALUES (20000, 'u9', 'ad9');")
    run_sql(binary, temp, "INSERT INTO clicks VALUES (21000, 'u9', 'p9');")
    # A last pair after another restart: with it, the first rows of each output are exactly the
    # expected ones (a repeated or lost record would show in their place). The clicks' second
    # row goes to their partition 1, held at 2 s since the first insert (a restart keeps each
    # partition's event time, as a run without restarts would): both partitions pass 14 s.
    run_sql(binary, temp, "INSERT INTO users VALUES ('s', 'mars', 0); FLUSH;")
    run_sql(binary, temp, "INSERT INTO clicks VALUES (40000, 's', 'ps'), (41000, 'z', 'pz');"
                          "INSERT INTO views VALUES (40000, 's', 'as');")
    out = run_sql(binary, temp, "FLUSH; SELECT ts, user_id, page, ad FROM click_views LIMIT 5;",
                  extra=("--format", "csv"))
    check(sorted(rows_of(out)) == sorted(["1000,u1,p1,ad1", "2000,u2,p2,", "9000,u1,p3,",
                                          "21000,u9,p9,ad9", "40000,s,ps,as"]),
          "interval join after restarts:\n" + out)
    out = run_sql(binary, temp, "SELECT ts, user_id, region FROM click_regions LIMIT 4;",
                  extra=("--format", "csv"))
    check(sorted(rows_of(out)) == sorted(["1000,u1,eu", "2000,u2,us", "9000,u1,asia",
                                          "40000,s,mars"]),
          "temporal join after restarts:\n" + out)


main(test)
