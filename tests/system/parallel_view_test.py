"""A materialized view WITH ('parallelism'=3) ends exactly right however its workers die: stage 1
(3 workers) repartitions by key, stage 2 (3 workers) aggregates and writes the view's rows to the
view topic, staged and published only with its checkpoint, and the view worker applies that
topic to the store with its own positions there. Workers of every stage are killed with SIGKILL
at random moments, and stage-2 workers also between a commit and the publication of their rows
(a crash point); after each round the view equals the input's counts and sums, with full reads
and point reads, and reads taken while the workers restart and catch up never count a row twice
nor show a key older than an earlier read did. Last, the view topic itself holds every update
once (each key's counts rise strictly, record after record): with the view topic written
unstaged (at-least-once), this check fails."""

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


class MonotonicReads:
    """Reads of the parallel view while its workers die and catch up: the input only grows, so a
    key's count never exceeds what was sent (nothing applied twice) and never falls below what
    an earlier read showed (an update replayed after a crash never reaches the view again)."""

    def __init__(self):
        self.seen = {}

    def read(self, shell, total, what):
        rows, text = read_view(shell, "per_key3")
        want = expected(total)
        for key, (n, _) in rows.items():
            check(n <= want[key][0], f"a read {what} counts more rows of {key} than were sent:\n"
                  f"{text}")
            check(n >= self.seen.get(key, 0), f"a read {what} shows {key} older than a read "
                  f"before it ({n} < {self.seen.get(key)} rows):\n{text}")
            self.seen[key] = n


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


def check_view_topic(shell, total):
    """The view topic holds each update once: every key's counts rise strictly, record after
    record, to the final one (a stage-2 worker whose uncommitted rows were published and then
    produced again after its crash would repeat counts)."""
    _, text = describe(shell)
    match = re.search(r"position _sluice_repartition_2_view\s*\|\s*([\d,]+)", text)
    check(match is not None, "no view topic positions:\n" + text)
    records = sum(int(offset) for offset in match.group(1).split(","))
    start = len(shell.output)
    shell.statement(f"PRINT TOPIC '_sluice_repartition_2_view' FROM BEGINNING LIMIT {records};",
                    timeout=120)
    counts = {}
    for partition, offset, key, n in re.findall(
            r"^\s*(\d+)\s*\|\s*(\d+)\s*\|[^|]*\|[^|]*\|\s*\{\"c0\":\"(k\d+)\",\"c1\":(\d+)",
            shell.output[start:], re.M):
        counts.setdefault(key, []).append((int(partition), int(offset), int(n)))
    want = expected(total)
    for key, updates in counts.items():
        check(len({partition for partition, _, _ in updates}) == 1,
              f"{key}'s updates are in several partitions of the view topic: {updates}")
        ns = [n for _, _, n in sorted(updates)]
        check(all(a < b for a, b in zip(ns, ns[1:])) and ns[-1] == want[key][0],
              f"{key}'s counts in the view topic repeat or miss the final one: {ns}")
    check(sorted(counts) == sorted(want), f"keys of the view topic: {sorted(counts)}")


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
        reads = MonotonicReads()
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
            reads.read(shell, total, f"before the kills of round {round_idx + 1}")
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
            for _ in range(3):
                reads.read(shell, total, f"while round {round_idx + 1}'s victims restart")
            workers = wait_running(shell, {w: workers[w][0] for w in victims})
            for _ in range(3):
                reads.read(shell, total, f"while round {round_idx + 1}'s restarted workers catch up")
            shell.statement("FLUSH;", timeout=120)
            check_reads(shell, total, f"after round {round_idx + 1} (killed {victims})")

        check_view_topic(shell, total)

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
