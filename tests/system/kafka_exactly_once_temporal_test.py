"""'delivery.guarantee'='exactly_once' for a stream-changelog (temporal) join with
'parallelism'=3 over librdkafka's mock cluster, kcat producing the input and reading the output
with isolation.level=read_committed.

Besides what kafka_exactly_once_parallel_test.py shows for a GROUP BY and an interval join, a
temporal join's stage 2 reads no stream row before every changelog writer's caught-up mark. The
marks are staged and published like the rows before them, so a stage-1 writer cut back to its
last commit loses only marks stage 2 never saw, and announces again once caught up; a stage-2
worker restarted alone restores the writers it had seen from the checkpoint that commits with
its transaction. Here every version is written before the query starts (one region per key,
rewritten unchanged every round so the changelog writers commit too), so each click must come
out exactly once, with its key's region, while:

- stage-2 workers are killed at both points of the two-phase commit ('prepared',
  'transaction_committed') and stage-1 workers of both sides between their commit and its
  publication ('committed'), through the crash-at file in each worker's state dir;
- a stage-2 worker and a stage-1 worker of each side are SIGKILLed right after a FLUSH.

usage: kafka_exactly_once_temporal_test.py <sluice binary> <sluice_kafka_mock binary>"""

import collections
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_exactly_once_parallel_test import describe, state_dir, wait_restarted  # noqa: E402
from kafka_exactly_once_state_test import BASE, Input  # noqa: E402
from kafka_features_test import consume  # noqa: E402
from kafka_parallelism_test import start_query  # noqa: E402
from kafka_test import kafka_session, kcat  # noqa: E402
from sluice_driver import check, main  # noqa: E402

N = 3
KEYS = 12  # enough that every stage-2 worker owns some keys
# The latency allowance spans every click: stage 1 reading one partition ahead makes no other
# partition's click late.
RELATIONS = (
    "CREATE STREAM te_clicks (id BIGINT, k VARCHAR, v BIGINT, ts BIGINT) WITH ('store'='k', "
    "'topic'='te_clicks', 'timestamp'='ts', 'source.allow.latency.millis'='100000');",
    "CREATE CHANGELOG te_users (k VARCHAR, region VARCHAR, ts BIGINT, PRIMARY KEY (k)) WITH "
    "('store'='k', 'topic'='te_users', 'timestamp'='ts');",
)


def produce_versions(bootstrap, ts):
    """Every key's version (region r<i>), key k<i> on partition i % N, at event time `ts`."""
    for partition in range(N):
        lines = [f"k{i}:" + json.dumps({"k": f"k{i}", "region": f"r{i}", "ts": ts})
                 for i in range(partition, KEYS, N)]
        kcat(["-P", "-b", bootstrap, "-t", "te_users", "-p", str(partition), "-K", ":"],
             "\n".join(lines) + "\n")


def test(binary, mock_binary, temp):
    topics = [f"te_clicks:{N}", f"te_users:{N}", "te_out:1"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        for sql in RELATIONS:
            shell.statement(sql)
        produce_versions(bootstrap, BASE - 1000)
        clicks = Input(bootstrap, "te_clicks", N, KEYS)
        # Clicks waiting when the query starts: stage 2 must not join them before the changelog
        # writers' caught-up marks.
        clicks.produce(clicks.take(1500))
        query = start_query(shell, "CREATE STREAM te_out WITH ('store'='k', 'topic'='te_out', "
                            "'delivery.guarantee'='exactly_once', 'parallelism'=3) AS SELECT "
                            "c.id, u.region FROM te_clicks c JOIN te_users u ON c.k = u.k;")
        shell.statement("FLUSH;", timeout=120)
        data_dir = temp.data_dir
        for round_idx, point in enumerate(("transaction_committed", "prepared",
                                           "transaction_committed")):
            workers, _ = describe(shell, query)
            victims = []
            for worker, worker_point in ((("2", round_idx), point),
                                         (("1 left", (round_idx + 1) % N), "committed"),
                                         (("1 right", (round_idx + 2) % N), "committed")):
                path = os.path.join(state_dir(data_dir, query, worker, True), "crash-at")
                with open(path, "w") as handle:
                    handle.write(worker_point + "\n")
                victims.append((worker, workers[worker][0], path))
            produce_versions(bootstrap, BASE - 900 + round_idx)
            clicks.produce(clicks.take(300))
            for worker, pid, path in victims:
                wait_restarted(shell, query, worker, pid)
                check(not os.path.exists(path), f"{worker} did not reach its crash point")
            shell.statement("FLUSH;", timeout=120)
        workers, _ = describe(shell, query)
        for worker in (("2", 1), ("1 left", 2), ("1 right", 0)):
            os.kill(workers[worker][0], signal.SIGKILL)
            wait_restarted(shell, query, worker, workers[worker][0])
        produce_versions(bootstrap, BASE - 800)
        clicks.produce(clicks.take(300))
        shell.statement("FLUSH;", timeout=120)
        rows = [json.loads(line) for line in consume(bootstrap, "te_out", committed=True)]
        got = collections.Counter(r["id"] for r in rows)
        want = collections.Counter(r["id"] for r in clicks.records)
        check(got == want, f"the join's read_committed output has {sum(got.values())} rows, "
              f"wanted {sum(want.values())}; extra {list((got - want).items())[:5]}, missing "
              f"{sorted(want - got)[:10]}")
        wrong = [r for r in rows if r["region"] != f"r{r['id'] % KEYS}"]
        check(not wrong, f"clicks joined with another key's region: {wrong[:5]}")
        shell.close()


if __name__ == "__main__":
    main(test, extra_args=1)
