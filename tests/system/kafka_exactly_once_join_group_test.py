"""'delivery.guarantee'='exactly_once' for a GROUP BY over a join with 'parallelism'=3 over
librdkafka's mock cluster, kcat producing the input and reading the output with
isolation.level=read_committed (docs/kafka.md "GROUP BY over a join with parallelism N"):

- a windowed and a non-windowed GROUP BY over an interval self-join (each record meets itself
  once), each in four groups of three workers: stage 1 per side writes its staged repartition
  topic, stage 2 joins and writes the grouped topic (staged too, cut back to its last commit on
  restart, committed with its join state), stage 3 aggregates and commits its state with its
  own Kafka transaction in two phases;
- stage-3 workers are killed at both points of the two-phase commit ('prepared',
  'transaction_committed'), stage-2 and stage-1 workers with their output since their last
  commit staged ('staged') or between their commit and its publication ('committed'), through
  the crash-at file in each worker's state dir; then a
  worker of each stage is SIGKILLed right after a FLUSH;
- at the end the read_committed kcat sees every window row once and each key's changelog
  updates counting up strictly to the exact totals.

usage: kafka_exactly_once_join_group_test.py <sluice binary> <sluice_kafka_mock binary>"""

import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_exactly_once_state_test import (FAR, Input, check_changelog,  # noqa: E402
                                           expected_windows, got_windows)
from kafka_exactly_once_parallel_test import crash_round  # noqa: E402
from kafka_features_test import consume as kafka_consume  # noqa: E402
from kafka_parallelism_test import start_query  # noqa: E402
from kafka_repartition_join_test import describe, wait_restarted  # noqa: E402
from kafka_test import kafka_session  # noqa: E402
from sluice_driver import check, main  # noqa: E402

N = 3
KEYS = 12
GROUPS = ["stage 1 left", "stage 1 right", "stage 2", "stage 3"]
JOIN = "pe_in a JOIN pe_in b WITHIN 1 SECOND ON a.id = b.id"


def state_dir(data_dir, query_id, worker):
    number = GROUPS.index(worker[0]) * N + worker[1]
    return os.path.join(data_dir, "state", str(query_id), f"worker-{number}")


def test(binary, mock_binary, temp):
    topics = [f"pe_in:{N}", "ej_win:1", "ej_cnt:1"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        shell.statement("CREATE STREAM pe_in (id BIGINT, k VARCHAR, v BIGINT, ts BIGINT) WITH "
                        "('store'='k', 'topic'='pe_in', 'timestamp'='ts', "
                        "'source.allow.latency.millis'='2000');")
        # One record per partition first: a partition holds the watermark back only once it has
        # given a record (the engine's rule, not exactly-once's).
        source = Input(bootstrap, "pe_in", N, KEYS)
        source.produce(source.take(N))
        queries = [
            start_query(shell, "CREATE STREAM ej_win WITH ('store'='k', 'topic'='ej_win', "
                        "'delivery.guarantee'='exactly_once', 'parallelism'=3) AS SELECT "
                        f"window_start, a.k AS k, COUNT(*) AS n FROM TUMBLE({JOIN}, "
                        "SIZE 1 SECOND) GROUP BY window_start, window_end, a.k;"),
            start_query(shell, "CREATE CHANGELOG ej_cnt WITH ('store'='k', 'topic'='ej_cnt', "
                        "'delivery.guarantee'='exactly_once', 'parallelism'=3) AS SELECT "
                        f"a.k AS k, COUNT(*) AS n, SUM(b.v) AS total FROM {JOIN} GROUP BY a.k;"),
        ]
        shell.statement("FLUSH;", timeout=120)
        source.produce(source.take(300))
        shell.statement("FLUSH;", timeout=120)
        for round_idx, point in enumerate(("transaction_committed", "prepared",
                                           "transaction_committed")):
            victims = []
            for query_id in queries:
                workers, _ = describe(shell, query_id)
                # Stages 2 and 1 stage their output: killed with it staged ('staged', cut on
                # restart) or committed and not yet published ('committed'), in turns.
                local = ("staged", "committed")[round_idx % 2]
                other = ("committed", "staged")[round_idx % 2]
                for worker, worker_point in ((("stage 3", round_idx), point),
                                             (("stage 2", (round_idx + 1) % N), local),
                                             ((GROUPS[round_idx % 2], (round_idx + 2) % N),
                                              other)):
                    victims.append((query_id, worker, workers[worker][0],
                                    state_dir(temp.data_dir, query_id, worker), worker_point))
            crash_round(shell, source, victims, wait_restarted)
        # SIGKILLed right after a commit: one worker of each stage.
        for query_id in queries:
            workers, _ = describe(shell, query_id)
            for worker in (("stage 3", 1), ("stage 2", 2), ("stage 1 right", 0)):
                os.kill(workers[worker][0], signal.SIGKILL)
                wait_restarted(shell, query_id, worker, workers[worker][0])
        source.produce(source.take(300))
        shell.statement("FLUSH;", timeout=120)

        far = [{"id": len(source.records) + p, "k": "zz", "v": 0, "ts": FAR} for p in range(N)]
        source.records.extend(far)
        source.produce(far)
        shell.statement("FLUSH;", timeout=180)
        rows = [json.loads(line) for line in kafka_consume(bootstrap, "ej_win", committed=True)]
        got, want = got_windows(rows), expected_windows(source.records)
        check(got == want, f"read_committed consumer saw {sum(got.values())} window rows, wanted "
              f"{sum(want.values())}; extra {list((got - want).items())[:5]}, missing "
              f"{list((want - got).items())[:5]}")
        rows = [json.loads(line) for line in kafka_consume(bootstrap, "ej_cnt", committed=True)]
        check_changelog(rows, source.records)
        shell.close()


if __name__ == "__main__":
    main(test, extra_args=1)
