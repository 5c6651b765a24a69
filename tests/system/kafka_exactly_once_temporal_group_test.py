"""'delivery.guarantee'='exactly_once' for a GROUP BY over a stream-changelog (temporal) join with
'parallelism' 2 and 3 over librdkafka's mock cluster, kcat producing the clicks and the users'
versions and reading the output with isolation.level=read_committed (docs/kafka.md "GROUP BY
over a join with parallelism N"):

- a windowed and a non-windowed count of clicks by their user's region, each in four groups of
  workers: stage 1 per side writes its staged repartition topic (the changelog writers with
  their caught-up marks), stage 2 waits for every writer's mark, joins, and writes the grouped
  topic (staged, cut back to its last commit on restart, committed with its join state and the
  caught-up writers it has seen), stage 3 aggregates and commits its state with its own Kafka
  transaction in two phases;
- the users move to other regions every round (each version's event time lies between the
  clicks before and after it, and is read before those after it), so a stage-2 worker that lost
  or repeated a version, or joined a click twice, counts a click in a wrong or second region;
- changelog writers and stage-2 workers are killed at a commit while versions arrive, stage-3
  workers at both points of the two-phase commit ('prepared', 'transaction_committed') and
  stage-2 and stream-side stage-1 workers at a commit while clicks arrive, through the crash-at
  file in each worker's state dir: a staging worker (stages 1 and 2) before its commit with its
  output since the last one staged ('staged': cut on restart) or between its commit and the
  publication ('committed'); a worker of each group is SIGKILLed right after a FLUSH; stage-2 and
  stage-1 workers, and the windowed query's stage-3 worker while its transaction holds no
  output, are SIGKILLed mid-stream;
- at the end the read_committed kcat sees every window row once and each region's changelog
  updates counting up strictly to the exact totals, computed here from the clicks and versions.

usage: kafka_exactly_once_temporal_group_test.py <sluice binary> <sluice_kafka_mock binary>"""

import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_exactly_once_parallel_test import crash_round, kill_mid_stream  # noqa: E402
from kafka_exactly_once_state_test import (BASE, FAR, Input, check_changelog,  # noqa: E402
                                           expected_windows, got_windows)
from kafka_features_test import consume  # noqa: E402
from kafka_parallelism_test import start_query  # noqa: E402
from kafka_repartition_join_test import describe, wait_restarted  # noqa: E402
from kafka_test import kafka_session, kcat  # noqa: E402
from sluice_driver import check, main  # noqa: E402

PARTITIONS = 3  # of both input topics
# Users k0..k10: enough that every stage-2 worker owns some, and prime to PARTITIONS, so that
# every partition's clicks carry every user and a stage-2 worker's first commit after clicks
# arrive has rows staged.
KEYS = 11
REGIONS = 4
GROUPS = ["stage 1 left", "stage 1 right", "stage 2", "stage 3"]
JOIN = "tg_clicks c JOIN tg_users u ON c.k = u.k"
RELATIONS = (
    "CREATE STREAM tg_clicks (id BIGINT, k VARCHAR, v BIGINT, ts BIGINT) WITH ('store'='k', "
    "'topic'='tg_clicks', 'timestamp'='ts', 'source.allow.latency.millis'='2000');",
    "CREATE CHANGELOG tg_users (k VARCHAR, region VARCHAR, ts BIGINT, PRIMARY KEY (k)) WITH "
    "('store'='k', 'topic'='tg_users', 'timestamp'='ts');",
)


class Users:
    """The users' versions sent so far: version s puts user k<i> in region r<(i + s) % REGIONS>,
    on partition i % PARTITIONS, keyed by k<i>."""

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        self.versions = []  # (event time, shift), in the order sent

    def produce(self, ts):
        shift = len(self.versions)
        self.versions.append((ts, shift))
        for partition in range(PARTITIONS):
            lines = [f"k{i}:" + json.dumps({"k": f"k{i}", "region": f"r{(i + shift) % REGIONS}",
                                            "ts": ts}) for i in range(partition, KEYS, PARTITIONS)]
            kcat(["-P", "-b", self.bootstrap, "-t", "tg_users", "-p", str(partition), "-K", ":"],
                 "\n".join(lines) + "\n")

    def before(self, clicks):
        """Sends the next version, timed between the clicks sent so far and the next ones."""
        self.produce(BASE + len(clicks.records) * 10 - 5)

    def joined(self, clicks):
        """The clicks that meet a version, with their user's region at their time as 'k'."""
        rows = []
        for click in clicks:
            if not click["k"][1:].isdigit():
                continue  # the closing records' user has no version
            shifts = [shift for ts, shift in self.versions if ts <= click["ts"]]
            if shifts:
                region = f"r{(int(click['k'][1:]) + shifts[-1]) % REGIONS}"
                rows.append(dict(click, k=region))
        return rows


def test(binary, mock_binary, temp):
    topics = [f"tg_clicks:{PARTITIONS}", f"tg_users:{PARTITIONS}", "tg_win:1", "tg_cnt:1"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        for sql in RELATIONS:
            shell.statement(sql)
        users = Users(bootstrap)
        users.produce(BASE - 1000)
        # One click per partition first: a partition holds the watermark back only once it has
        # given a record (the engine's rule, not exactly-once's). They wait for the changelog
        # writers' caught-up marks in stage 2.
        clicks = Input(bootstrap, "tg_clicks", PARTITIONS, KEYS)
        clicks.produce(clicks.take(PARTITIONS))
        parallelism = {
            start_query(shell, "CREATE STREAM tg_win WITH ('store'='k', 'topic'='tg_win', "
                        "'delivery.guarantee'='exactly_once', 'parallelism'=2) AS SELECT "
                        f"window_start, u.region AS k, COUNT(*) AS n FROM TUMBLE({JOIN}, "
                        "SIZE 1 SECOND) GROUP BY window_start, window_end, u.region;"): 2,
            start_query(shell, "CREATE CHANGELOG tg_cnt WITH ('store'='k', 'topic'='tg_cnt', "
                        "'delivery.guarantee'='exactly_once', 'parallelism'=3) AS SELECT "
                        f"u.region AS k, COUNT(*) AS n, SUM(c.v) AS total FROM {JOIN} "
                        "GROUP BY u.region;"): 3,
        }
        win = min(parallelism, key=parallelism.get)
        shell.statement("FLUSH;", timeout=120)

        def victims_of(plan):
            """plan: ((group, index mod N), crash point); for each query: (query id, worker,
            pid, state dir, point)."""
            victims = []
            for query_id, n in parallelism.items():
                workers, _ = describe(shell, query_id)
                for (group, index), point in plan:
                    worker = (group, index % n)
                    number = GROUPS.index(group) * n + worker[1]
                    directory = os.path.join(temp.data_dir, "state", str(query_id),
                                             f"worker-{number}")
                    victims.append((query_id, worker, workers[worker][0], directory, point))
            return victims

        for round_idx, point in enumerate(("transaction_committed", "prepared",
                                           "transaction_committed")):
            # A staging worker dies with its output since its last commit staged ('staged': cut
            # on restart) or committed and not yet published ('committed': published on
            # restart), in turns. Versions give stage 2 no output: it dies at 'committed' then.
            local = ("staged", "committed")[round_idx % 2]
            other = ("committed", "staged")[round_idx % 2]
            # The users move while a changelog writer and a stage-2 worker die at their commit.
            crash_round(shell, clicks, victims_of(((("stage 1 right", round_idx), local),
                                                   (("stage 2", round_idx + 1), "committed"))),
                        wait_restarted, send=lambda: users.before(clicks))
            crash_round(shell, clicks, victims_of(((("stage 3", round_idx), point),
                                                   (("stage 2", round_idx + 2), local),
                                                   (("stage 1 left", round_idx + 1), other))),
                        wait_restarted)
        # SIGKILLed right after a commit: one worker of each group.
        for query_id, n in parallelism.items():
            workers, _ = describe(shell, query_id)
            for worker in (("stage 3", 1), ("stage 2", 0), ("stage 1 right", 1),
                           ("stage 1 left", n - 1)):
                os.kill(workers[worker][0], signal.SIGKILL)
                wait_restarted(shell, query_id, worker, workers[worker][0])
        users.before(clicks)
        shell.statement("FLUSH;", timeout=120)
        # 450: the windowed query's watermark then lies mid-window, so the clicks below, which
        # partition 2 holds back, close no window and its stage-3 transaction stays empty.
        clicks.produce(clicks.take(450))
        shell.statement("FLUSH;", timeout=120)

        # Mid-stream: stage-2 and stream-side stage-1 workers of both queries (their staged rows
        # are cut), and the windowed query's stage-3 worker (the mock shows an aborted
        # transaction's records to read_committed consumers, so only an empty one may be cut).
        killed = [(win, ("stage 3", 0))]
        for query_id in parallelism:
            killed += [(query_id, ("stage 2", 1)), (query_id, ("stage 1 left", 0))]
        kill_mid_stream(shell, clicks, parallelism, killed, describe, wait_restarted)

        first = len(clicks.records)
        far = [{"id": first + p, "k": "zz", "v": 0, "ts": FAR} for p in range(PARTITIONS)]
        clicks.records.extend(far)
        clicks.produce(far)
        shell.statement("FLUSH;", timeout=180)
        joined = users.joined(clicks.records)
        rows = [json.loads(line) for line in consume(bootstrap, "tg_win", committed=True)]
        got, want = got_windows(rows), expected_windows(joined)
        check(got == want, f"read_committed consumer saw {sum(got.values())} window rows, wanted "
              f"{sum(want.values())}; extra {list((got - want).items())[:5]}, missing "
              f"{list((want - got).items())[:5]}")
        rows = [json.loads(line) for line in consume(bootstrap, "tg_cnt", committed=True)]
        check_changelog(rows, joined)
        shell.close()


if __name__ == "__main__":
    main(test, extra_args=1)
