"""A full disk loses nothing. sluice runs under a file size limit (RLIMIT_FSIZE, which the kernel
reports to a writer as EFBIG just as a full disk reports ENOSPC, and which workers inherit):
- INSERTs that no longer fit fail with a STORAGE error naming the file, and write nothing of
  themselves; the ones before them stay readable, and once there is room INSERT works again;
- a persistent query whose output no longer fits becomes FAILED with the reason; RESTART QUERY
  once there is room resumes it from its checkpoint, and its output is complete, each record
  exactly once; a GROUP BY's changelog equals that of a run that never failed."""

import re
import resource
import subprocess

from sluice_driver import TempDataDir, check, main, run_sql


def run_limited(binary, temp, statements, limit_bytes):
    """Runs `statements` (one per line) through sluice's stdin under a file size limit of
    `limit_bytes`, going on after errors; returns its combined output."""

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    proc = subprocess.run([binary, "--data-dir", temp.data_dir, "--continue-on-error"],
                          input="\n".join(statements) + "\n", capture_output=True, text=True,
                          env=temp.env(), timeout=120, preexec_fn=limit)
    return proc.stdout + proc.stderr


def read_ids(binary, temp, relation):
    out = run_sql(binary, temp,
                  f"SELECT id FROM {relation} WITH ('ending.position'='latest');",
                  extra=("--format", "csv"))
    return [int(line) for line in out.split()[1:] if line.isdigit()]


def inserts_under_a_full_disk(binary, temp):
    batches, rows_per_batch = 20, 200
    statements = ["CREATE STREAM s (id BIGINT, pad VARCHAR) WITH ('partitions'=1);"]
    for batch in range(batches):
        values = ",".join(f"({batch * rows_per_batch + row}, '{'x' * 200}')"
                          for row in range(rows_per_batch))
        statements.append(f"INSERT INTO s VALUES {values};")
    out = run_limited(binary, temp, statements, 512 * 1024)
    # One line per statement, in order: the CREATE, then each INSERT's count or its error.
    results = [line for line in out.splitlines()
               if line.startswith(("CREATE", "INSERT", "ERROR"))]
    check(len(results) == batches + 1 and results[0] == "CREATE STREAM",
          "expected a result per statement:\n" + out)
    inserted = [batch for batch in range(batches) if results[batch + 1] == "INSERT 0 200"]
    failed = [results[batch + 1] for batch in range(batches) if batch not in inserted]
    check(inserted and failed, "the limit should let some INSERTs in and refuse others:\n" + out)
    for error in failed:
        check(error.startswith("ERROR: STORAGE: ") and "File too large" in error,
              "a refused INSERT should say which file could not be written: " + error)

    expected = [batch * rows_per_batch + row for batch in inserted
                for row in range(rows_per_batch)]
    check(read_ids(binary, temp, "s") == expected,
          "after the full disk the stream should hold exactly the accepted INSERTs")

    # With room again, writing works and appends after what was there.
    run_sql(binary, temp, "INSERT INTO s VALUES (100000, 'after');")
    check(read_ids(binary, temp, "s") == expected + [100000], "INSERT after the full disk")


# 1M Nexmark events hold 20,000 people (ids 1000..20999), ~4 MB as JSON.
PERSON = ("CREATE STREAM person (id BIGINT, name VARCHAR, emailaddress VARCHAR, creditcard VARCHAR,"
          " city VARCHAR, state VARCHAR, datetime TIMESTAMP, extra VARCHAR) WITH ("
          "'store'='datagen', 'generator'='nexmark.person', 'events'=1000000, 'seed'=3,"
          " 'timestamp'='datetime');")


def fail_and_restart(binary, temp, create, relation, limit_bytes):
    """Runs `create` (a persistent query into `relation`) under a file size limit smaller than
    its output, checks it FAILED saying why, and RESTARTs it without the limit."""
    out = run_limited(binary, temp, [PERSON, create, "FLUSH;", "SHOW QUERIES;"], limit_bytes)
    failed = re.search(rf"(\d+) \| FAILED .*{relation}.*File too large", out)
    check(failed, "the query should be FAILED, saying its output file could not be written:\n" +
          out)
    query_id = failed.group(1)
    out = run_sql(binary, temp, f"RESTART QUERY {query_id}; FLUSH; SHOW QUERIES;")
    check(re.search(rf"\b{query_id} \| RUNNING", out),
          "RESTART QUERY should bring it back:\n" + out)


def stateless_query_under_a_full_disk(binary, temp):
    fail_and_restart(binary, temp, "CREATE STREAM people AS SELECT id, name, extra FROM person;",
                     "people", 1024 * 1024)
    ids = read_ids(binary, temp, "people")
    check(ids == list(range(1000, 21000)),
          f"the restarted query's output should hold each person once, in order: "
          f"{len(ids)} rows, {len(set(ids))} distinct")


def stateful_query_under_a_full_disk(binary, temp):
    create = ("CREATE CHANGELOG c AS SELECT name, COUNT(*) AS n, MAX(id) AS mx FROM person "
              "GROUP BY name;")
    select = "SELECT name, n, mx FROM c WITH ('ending.position'='latest');"
    fail_and_restart(binary, temp, create, "c", 256 * 1024)
    interrupted = run_sql(binary, temp, select, extra=("--format", "csv"))
    # The same query run with room to spare: every update the same, none lost or counted twice.
    reference = TempDataDir()
    try:
        run_sql(binary, reference, PERSON + create + "FLUSH;")
        expected = run_sql(binary, reference, select, extra=("--format", "csv"))
    finally:
        reference.cleanup()
    check(len(expected.splitlines()) > 10000, "the reference run should see every person")
    check(interrupted == expected,
          "the restarted GROUP BY's changelog should equal an uninterrupted run's")


def test(binary, temp):
    inserts_under_a_full_disk(binary, temp)
    # A data dir of its own, so the first part's audit log does not count against the limit.
    for part in (stateless_query_under_a_full_disk, stateful_query_under_a_full_disk):
        own = TempDataDir()
        try:
            part(binary, own)
        finally:
            own.cleanup()


if __name__ == "__main__":
    main(test)
