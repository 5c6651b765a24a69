"""A persistent query whose worker process is killed with SIGKILL is restarted by the supervisor
from its last checkpoint (SHOW QUERIES and DESCRIBE QUERY count the restarts and say why), while
another query keeps producing; a query that keeps crashing (a crash loop, here 3 crashes within a
minute) becomes FAILED with the reason, and RESTART QUERY brings it back. A genuine query error
(a bad record under TERMINATE) fails at once: tests/sql/errors/bad_records.test."""

import os
import re
import signal
import time

from sluice_driver import PtyShell, check, main


def worker_pid(shell, query_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        start = len(shell.output)
        shell.statement(f"DESCRIBE QUERY {query_id};")
        match = re.search(r"worker pid\s*\|?\s*(\d+)", shell.output[start:])
        if match:
            return int(match.group(1))
        check(time.monotonic() < deadline, f"DESCRIBE QUERY {query_id} shows no worker pid:\n" +
              shell.output[start:])
        time.sleep(0.1)


def wait_for(shell, statement, pattern, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        start = len(shell.output)
        shell.statement(statement)
        recent = shell.output[start:]
        if re.search(pattern, recent):
            return recent
        check(time.monotonic() < deadline, what + ":\n" + recent)
        time.sleep(0.2)


def test(binary, temp):
    shell = PtyShell(binary, temp, extra=("--worker-crash-limit", "3"))
    try:
        shell.expect(r"sluice:\S*> ")
        shell.statement("CREATE STREAM src (id BIGINT, v VARCHAR) WITH ('partitions'=1);")
        shell.statement("CREATE STREAM a AS SELECT id, v FROM src WHERE id % 2 = 0;")
        shell.statement("CREATE STREAM b AS SELECT id, UPPER(v) AS v FROM src;")
        shell.statement("INSERT INTO src VALUES (1, 'x'), (2, 'y');")
        shell.statement("FLUSH;")

        victim = worker_pid(shell, 1)
        survivor = worker_pid(shell, 2)
        check(victim != survivor, "two queries share a worker process")
        os.kill(victim, signal.SIGKILL)

        # The supervisor restarts it: a new worker, one restart, the crash named.
        replacement = victim
        deadline = time.monotonic() + 20
        while replacement == victim:
            check(time.monotonic() < deadline, "killed query was not restarted")
            time.sleep(0.2)
            replacement = worker_pid(shell, 1)
        described = wait_for(shell, "DESCRIBE QUERY 1;", r"restarts\s*\|?\s*1\b",
                             "DESCRIBE QUERY does not count the restart")
        check(re.search(r"last crash\s*\|?\s*worker killed by signal 9 \(SIGKILL\)", described),
              "DESCRIBE QUERY does not name the crash:\n" + described)
        check(re.search(r"state\s*\|?\s*RUNNING", described), "restarted query not RUNNING:\n" +
              described)
        listing = wait_for(shell, "SHOW QUERIES;", r"restarted after: worker killed by signal 9",
                           "SHOW QUERIES does not say the query was restarted")
        check(re.search(r"\b1\b.*RUNNING", listing), "restarted query not RUNNING:\n" + listing)

        # Nothing lost or repeated: the restarted query resumes from its commit.
        shell.statement("INSERT INTO src VALUES (4, 'w');")
        shell.statement("FLUSH;")
        start = len(shell.output)
        shell.statement("PRINT TOPIC 'a' FROM BEGINNING LIMIT 2;")
        printed = shell.output[start:]
        check(re.search(r'"id":2', printed) and re.search(r'"id":4', printed),
              "restarted query lost or repeated output:\n" + printed)

        # The other query is unaffected: new input reaches its output.
        shell.statement("INSERT INTO src VALUES (3, 'z');")
        shell.statement("FLUSH;")
        shell.statement("SELECT id, v FROM b WHERE id = 3 LIMIT 1;")
        check(re.search(r"\b3\s*\|\s*Z\b", shell.output[-600:]) is not None,
              "surviving query did not process new input:\n" + shell.output[-600:])
        check(os.path.exists(f"/proc/{survivor}"), "surviving worker is gone")

        # A crash loop: the third crash within a minute makes the query FAILED with the reason.
        for _ in range(2):
            pid = worker_pid(shell, 1)
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 20
            while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
                time.sleep(0.05)
        listing = wait_for(shell, "SHOW QUERIES;", r"\b1\b.*FAILED",
                           "crash-looping query never showed FAILED")
        check("worker crashed 3 times within 60 s" in listing and "SIGKILL" in listing,
              "FAILED query does not say why:\n" + listing)

        # RESTART QUERY runs the failed one again; it catches up with what it missed.
        shell.statement("RESTART QUERY 1;")
        shell.statement("INSERT INTO src VALUES (6, 'w');")
        shell.statement("FLUSH;")
        shell.statement("SELECT id FROM a WHERE id = 6 LIMIT 1;")
        check(re.search(r"\b6\b", shell.output[-300:]) is not None,
              "restarted query did not catch up:\n" + shell.output[-600:])
        shell.send("\\q\n")
        check(shell.wait_exit() == 0, "shell did not exit cleanly")
    finally:
        shell.close()


main(test)
