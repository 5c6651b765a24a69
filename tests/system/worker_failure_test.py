"""A persistent query whose worker process is killed with SIGKILL shows FAILED with the reason,
while another query keeps producing; RESTART QUERY brings the failed one back."""

import os
import re
import signal
import time

from sluice_driver import PtyShell, check, main


def worker_pid(shell, query_id):
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {query_id};")
    match = re.search(r"worker pid\s*\|?\s*(\d+)", shell.output[start:])
    check(match is not None, f"DESCRIBE QUERY {query_id} shows no worker pid:\n" +
          shell.output[start:])
    return int(match.group(1))


def test(binary, temp):
    shell = PtyShell(binary, temp)
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

        deadline = time.monotonic() + 20
        while True:
            shell.statement("SHOW QUERIES;")
            recent = shell.output[-3000:]
            if re.search(r"\b1\b.*FAILED", recent):
                break
            check(time.monotonic() < deadline, "killed query never showed FAILED:\n" + recent)
            time.sleep(0.3)
        check("SIGKILL" in recent or "signal 9" in recent,
              "FAILED query does not say it was killed:\n" + recent)

        # The other query is unaffected: new input reaches its output.
        shell.statement("INSERT INTO src VALUES (3, 'z');")
        shell.statement("FLUSH;")
        shell.statement("SELECT id, v FROM b WHERE id = 3 LIMIT 1;")
        check(re.search(r"\b3\s*\|\s*Z\b", shell.output[-600:]) is not None,
              "surviving query did not process new input:\n" + shell.output[-600:])
        check(os.path.exists(f"/proc/{survivor}"), "surviving worker is gone")

        # RESTART QUERY runs the failed one again; it catches up with what it missed.
        shell.statement("RESTART QUERY 1;")
        shell.statement("INSERT INTO src VALUES (4, 'w');")
        shell.statement("FLUSH;")
        shell.statement("SELECT id FROM a WHERE id = 4 LIMIT 1;")
        check(re.search(r"\b4\b", shell.output[-300:]) is not None,
              "restarted query did not catch up:\n" + shell.output[-600:])
        shell.send("\\q\n")
        check(shell.wait_exit() == 0, "shell did not exit cleanly")
    finally:
        shell.close()


main(test)
