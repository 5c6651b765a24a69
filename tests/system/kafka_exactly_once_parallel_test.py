"""'delivery.guarantee'='exactly_once' with 'parallelism'=3 over librdkafka's mock cluster, kcat
producing the input and reading the output with isolation.level=read_committed:

- a windowed GROUP BY (TUMBLE), a non-windowed GROUP BY (a changelog) and an interval self-join,
  each repartitioned in two stages (docs/kafka.md "Parallelism"): stage 1 writes the local
  repartition topic (staged, cut back to its last commit on restart), stage 2 commits its state
  and its repartition-topic positions with its own Kafka transaction in two phases
  (docs/checkpoints.md), sending no offsets for the local topic;
- stage-2 workers are killed at both points of the two-phase commit ('prepared',
  'transaction_committed') and stage-1 workers between their commit and its publication
  ('committed'), through the crash-at file in each worker's state dir
  (runtime/pipeline/crash_point.h); then workers of both stages are SIGKILLed right after a
  FLUSH, stage-1 workers SIGKILLed mid-stream, and the windowed query's stage-2 worker mid-stream
  while its transaction holds no output (the mock shows aborted transactions' records to
  read_committed consumers, so a kill with output in an open transaction needs a real broker);
- at the end the read_committed kcat sees every window row once, each key's changelog updates
  counting up strictly to the exact totals, and each join row once;
- what stays refused: exactly-once into a local store, or from a local store.

usage: kafka_exactly_once_parallel_test.py <sluice binary> <sluice_kafka_mock binary>"""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_exactly_once_state_test import BASE, Input, close_and_check  # noqa: E402
from kafka_parallelism_test import start_query  # noqa: E402
from kafka_test import kafka_session  # noqa: E402
from sluice_driver import check, main  # noqa: E402

N = 3
KEYS = 12  # enough that every stage-2 worker owns some keys


def describe(shell, query_id):
    """{(group, index): (pid, state)}: group '1', '1 left', '1 right' or '2'."""
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {query_id};")
    text = shell.output[start:]
    workers = {}
    for group, index, pid, state in re.findall(
            r"^\s*stage (1 left|1 right|1|2) worker (\d+)\s*\|\s*pid (\d+), (\w+)", text, re.M):
        workers[(group, int(index))] = (int(pid), state)
    return workers, text


def state_dir(data_dir, query_id, worker, join):
    """A worker's state dir: workers are numbered by group (stage 1 [left, right], stage 2)."""
    groups = ["1 left", "1 right", "2"] if join else ["1", "2"]
    number = groups.index(worker[0]) * N + worker[1]
    return os.path.join(data_dir, "state", str(query_id), f"worker-{number}")


def wait_restarted(shell, query_id, worker, old_pid, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        workers, text = describe(shell, query_id)
        if worker in workers and workers[worker][0] != old_pid and workers[worker][1] == "RUNNING":
            return
        check(time.monotonic() < deadline, f"{worker} of query {query_id} not restarted:\n{text}")
        time.sleep(0.2)


def crash_round(shell, source, victims, wait_restarted, send=None):
    """Writes each victim's crash point (victims: query id, worker, pid, state dir, point), sends
    300 more records of `source` (or calls `send`), checks that every victim was restarted after
    reaching its point, FLUSHes."""
    for _, _, _, directory, point in victims:
        with open(os.path.join(directory, "crash-at"), "w") as handle:
            handle.write(point + "\n")
    if send is not None:
        send()
    else:
        source.produce(source.take(300))
    for query_id, worker, pid, directory, _ in victims:
        wait_restarted(shell, query_id, worker, pid)
        check(not os.path.exists(os.path.join(directory, "crash-at")),
              f"{worker} of query {query_id} did not reach its crash point")
    shell.statement("FLUSH;", timeout=120)


def kill_mid_stream(shell, source, query_ids, killed, describe, wait_restarted):
    """Sends 6000 more records of `source`, first to every partition but the last (which holds
    the watermark back meanwhile), SIGKILLs the `killed` workers (query id, worker) while those
    stream in, waits for their restarts, then sends the last partition's share."""
    before = {query_id: describe(shell, query_id)[0] for query_id in query_ids}
    batch = source.take(6000)
    source.produce(batch, partitions=range(source.partitions - 1))
    time.sleep(0.3)
    for query_id, worker in killed:
        os.kill(before[query_id][worker][0], signal.SIGKILL)
    for query_id, worker in killed:
        wait_restarted(shell, query_id, worker, before[query_id][worker][0])
    source.produce(batch, partitions=(source.partitions - 1,))


def test_refusals(shell):
    cases = [
        ("CREATE CHANGELOG pe_local WITH ('parallelism'=3, 'delivery.guarantee'='exactly_once') "
         "AS SELECT k, COUNT(*) AS n FROM pe_in GROUP BY k;",
         "the query must write to a Kafka store"),
        ("CREATE STREAM pe_lin (id BIGINT, k VARCHAR) WITH ('partitions'=3);", None),
        ("CREATE CHANGELOG pe_from_local WITH ('store'='k', 'topic'='pe_cnt', 'parallelism'=3, "
         "'delivery.guarantee'='exactly_once') AS SELECT k, COUNT(*) AS n FROM pe_lin GROUP BY k;",
         "the query must read from a Kafka store"),
    ]
    for sql, message in cases:
        start = len(shell.output)
        shell.statement(sql)
        if message is not None:
            check(message in shell.output[start:], f"{sql} was not refused with {message!r}:\n"
                  + shell.output[start:])


def test(binary, mock_binary, temp):
    topics = [f"pe_in:{N}", "pe_win:1", "pe_cnt:1", "pe_join:1"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        data_dir = temp.data_dir
        shell.statement("CREATE STREAM pe_in (id BIGINT, k VARCHAR, v BIGINT, ts BIGINT) WITH "
                        "('store'='k', 'topic'='pe_in', 'timestamp'='ts', "
                        "'source.allow.latency.millis'='2000');")
        test_refusals(shell)
        # One record per partition first: a partition holds the watermark back only once it has
        # given a record (the engine's rule, not exactly-once's).
        source = Input(bootstrap, "pe_in", N, KEYS)
        source.produce(source.take(N))
        win = start_query(shell, "CREATE STREAM pe_win WITH ('store'='k', 'topic'='pe_win', "
                          "'delivery.guarantee'='exactly_once', 'parallelism'=3) AS SELECT "
                          "window_start, k, COUNT(*) AS n FROM TUMBLE(pe_in, SIZE 1 SECOND) "
                          "GROUP BY window_start, window_end, k;")
        cnt = start_query(shell, "CREATE CHANGELOG pe_cnt WITH ('store'='k', 'topic'='pe_cnt', "
                          "'delivery.guarantee'='exactly_once', 'parallelism'=3) AS SELECT k, "
                          "COUNT(*) AS n, SUM(v) AS total FROM pe_in GROUP BY k;")
        joined = start_query(shell, "CREATE STREAM pe_join WITH ('store'='k', 'topic'='pe_join', "
                             "'delivery.guarantee'='exactly_once', 'parallelism'=3) AS "
                             "SELECT a.id, b.v FROM pe_in a JOIN pe_in b WITHIN 1 SECOND "
                             "ON a.id = b.id;")
        queries = {win: False, cnt: False, joined: True}  # query -> is a join
        shell.statement("FLUSH;", timeout=120)

        def stage_one(query_id, index):
            return ("1 left" if index % 2 == 0 else "1 right", index) if queries[query_id] \
                else ("1", index)

        source.produce(source.take(300))
        shell.statement("FLUSH;", timeout=120)
        # Crash points: a stage-2 worker inside its two-phase commit, a stage-1 worker between
        # its commit and the publication of its staged rows; a different pair each round.
        for round_idx, point in enumerate(("transaction_committed", "prepared",
                                           "transaction_committed")):
            victims = []
            for query_id, join in queries.items():
                workers, _ = describe(shell, query_id)
                for worker, worker_point in ((("2", round_idx), point),
                                             (stage_one(query_id, (round_idx + 1) % N),
                                              "committed")):
                    victims.append((query_id, worker, workers[worker][0],
                                    state_dir(data_dir, query_id, worker, join), worker_point))
            crash_round(shell, source, victims, wait_restarted)
        # SIGKILLed right after a commit: one worker of each stage.
        for query_id in queries:
            workers, _ = describe(shell, query_id)
            for worker in (("2", 1), stage_one(query_id, 2)):
                os.kill(workers[worker][0], signal.SIGKILL)
                wait_restarted(shell, query_id, worker, workers[worker][0])
        source.produce(source.take(300))
        shell.statement("FLUSH;", timeout=120)
        # Mid-stream: partition 2 gets nothing yet, so the windowed query's stage-2 watermark
        # holds every window open and its open transaction holds no output: its worker 0 is
        # SIGKILLed, with a stage-1 worker of each query (their staged rows are cut).
        kill_mid_stream(shell, source, queries,
                        [(win, ("2", 0))] + [(q, stage_one(q, 0)) for q in queries], describe,
                        wait_restarted)
        close_and_check(shell, bootstrap, source,
                        ("pe_win", "pe_cnt", "pe_join"))
        shell.close()


if __name__ == "__main__":
    main(test, extra_args=1)
