"""A materialized view WITH ('parallelism'=3) ends exactly right however its workers die: stage 1
(3 workers) repartitions by key, stage 2 (3 workers) aggregates and writes the view's rows to the
view topic, staged and published only with its checkpoint, and the view worker applies that
topic to the store with its own positions there. Workers of every stage are killed with SIGKILL
at random moments, and stage-2 workers also between a commit and the publication of their rows
(a crash point); after each round the view equals the input's counts and sums, with full reads
and point reads, and a read taken while the workers catch up never shows more than was sent."""

import os
import random
import re
import signal
import time

from sluice_driver import check, main, restarting_shell

N = 3
KEYS = 12
VIEW_QUERY = 2  # query 1 is the one-worker view the parallel one is compared with


def insert_rows(shell, start, count):
    for chunk in range(start, start + count, 50):  # short lines for the terminal
        end = min(chunk + 50, start + count)
        values = ", ".join(f"({i}, 'k{i % KEYS}', {i})" for i in range(chunk, end))
        shell.statement(f"INSERT INTO src VALUES {values};", timeout=60)


def expected(total_rows):
    rows = {}
    for i in range(total_rows):
        n, total = rows.get(f"k{i % KEYS}", (0, 0))
        rows[f"k{i % KEYS}"] = (n + 1, total + i)
    return rows


def read_view(shell, view, where=""):
    start = len(shell.output)
    shell.statement(f"SELECT k, n, total FROM {view}{where} ORDER BY k;")
    text = shell.output[start:]
    rows = {}
    for match in re.finditer(r"\b(k\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\b", text):
        rows[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return rows, text


def describe(shell):
    """{worker: (pid, state)}: worker ('1', k), ('2', k) or ('view', 0)."""
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {VIEW_QUERY};")
    text = shell.output[start:]
    workers = {}
    for stage, index, pid, state in re.findall(
            r"^\s*stage (1|2) worker (\d+)\s*\|\s*pid (\d+), (\w+)", text, re.M):
        workers[(stage, int(index))] = (int(pid), state)
    for pid, state in re.findall(r"^\s*stage 3 view worker\s*\|\s*pid (\d+), (\w+)", text, re.M):
        workers[("view", 0)] = (int(pid), state)
    return workers, text


def wait_running(shell, replaced=None, timeout=60):
    """Waits until all 2N + 1 workers run, each in `replaced` ({worker: old pid}) anew."""
    replaced = replaced or {}
    deadline = time.monotonic() + timeout
    while True:
        workers, text = describe(shell)
        if len(workers) == 2 * N + 1 and all(state == "RUNNING" for _, state in workers.values()) \
                and all(workers[w][0] != pid for w, pid in replaced.items()):
            return workers
        check(time.monotonic() < deadline, "workers not all running again:\n" + text)
        time.sleep(0.1)


def state_dir(data_dir, worker):
    number = {"1": 0, "2": N, "view": 2 * N}[worker[0]] + worker[1]
    return os.path.join(data_dir, "state", str(VIEW_QUERY), f"worker-{number}")


def check_reads(shell, total, what):
    want = expected(total)
    for view in ("per_key1", "per_key3"):
        rows, text = read_view(shell, view)
        check(rows == want, f"{view} {what} differs (double counted or lost):\n{text}\n"
              f"wanted {sorted(want.items())}")
    key = f"k{total % KEYS}"
    rows, text = read_view(shell, "per_key3", f" WHERE k = '{key}'")
    check(rows == {key: want[key]}, f"point read of {key} {what}:\n{text}")


def test(binary, temp):
    shell = restarting_shell(binary, temp)
    total = 0
    try:
        shell.expect(r"sluice:\S*> ")
        shell.statement("CREATE STREAM src (id BIGINT, k VARCHAR, v BIGINT)"
                        " WITH ('timestamp'='id', 'partitions'=3);")
        shell.statement("CREATE MATERIALIZED VIEW per_key1 AS"
                        " SELECT k, COUNT(*) AS n, SUM(v) AS total FROM src GROUP BY k;")
        # Short checkpoints: more commits for the kills to fall between.
        shell.statement("CREATE MATERIALIZED VIEW per_key3 WITH ('parallelism'=3,"
                        " 'checkpoint.interval.millis'=50) AS"
                        " SELECT k, COUNT(*) AS n, SUM(v) AS total FROM src GROUP BY k;")
        workers = wait_running(shell)
        insert_rows(shell, 0, 300)
        total = 300
        shell.statement("FLUSH;", timeout=120)
        check_reads(shell, total, "before any kill")

        rng = random.Random(11)
        names = sorted(workers)
        for round_idx in range(15):
            # One to three victims of any stage; a stage-2 victim dies at its crash point (rows
            # committed, not yet published) every other round.
            victims = rng.sample(names, rng.randint(1, 3))
            at_point = [w for w in victims if w[0] == "2" and round_idx % 2 == 0]
            for worker in at_point:
                with open(os.path.join(state_dir(temp.data_dir, worker), "crash-at"), "w") as f:
                    f.write("committed\n")
            insert_rows(shell, total, 150)
            total += 150
            time.sleep(rng.uniform(0.0, 0.05))
            # While the stages catch up, a read never shows a row counted twice.
            rows, text = read_view(shell, "per_key3")
            want = expected(total)
            check(all(rows[k][0] <= want[k][0] for k in rows),
                  f"a read during round {round_idx + 1} counts more rows than were sent:\n{text}")
            for worker in victims:
                if worker in at_point:
                    continue
                os.kill(workers[worker][0], signal.SIGKILL)
            for worker in at_point:
                deadline = time.monotonic() + 30
                path = os.path.join(state_dir(temp.data_dir, worker), "crash-at")
                while os.path.exists(path):
                    check(time.monotonic() < deadline, f"{worker} never reached its crash point")
                    time.sleep(0.05)
            workers = wait_running(shell, {w: workers[w][0] for w in victims})
            shell.statement("FLUSH;", timeout=120)
            check_reads(shell, total, f"after round {round_idx + 1} (killed {victims})")

        # TERMINATE and RESTART QUERY: every stage resumes from its own commit.
        shell.statement(f"TERMINATE QUERY {VIEW_QUERY};")
        insert_rows(shell, total, 150)
        total += 150
        shell.statement(f"RESTART QUERY {VIEW_QUERY};")
        wait_running(shell)
        shell.statement("FLUSH;", timeout=120)
        check_reads(shell, total, "after RESTART QUERY")

        # DROP removes the store and the topics between the stages.
        shell.statement("DROP MATERIALIZED VIEW per_key3;")
        start = len(shell.output)
        shell.statement("SHOW TOPICS IN STORE local;")
        check("_sluice_repartition" not in shell.output[start:],
              "DROP left a repartition topic:\n" + shell.output[start:])
        check(not os.path.exists(os.path.join(temp.data_dir, "state", str(VIEW_QUERY), "view")),
              "DROP left the view store behind")
        shell.send("\\q\n")
        shell.wait_exit()
    finally:
        shell.close()


main(test)
