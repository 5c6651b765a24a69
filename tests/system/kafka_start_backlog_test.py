"""A windowed query started over records already in a Kafka topic (librdkafka's mock cluster,
kcat producing and consuming): partition 0 holds newer records and partition 1 older ones, all
produced before the query starts. Each partition holds the watermark back until it shows its
first record (docs/windows.md, "Event time and watermarks"), so however the source's fetches of
the two partitions interleave, every record is counted and none is late: with one worker, and
with 'parallelism'=2 (stage-1 worker 0 reads partition 0, worker 1 partition 1; stage 2 holds
partition 1 from worker 1's start mark on).

usage: kafka_start_backlog_test.py <sluice binary> <sluice_kafka_mock binary>"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_features_test import consume  # noqa: E402
from kafka_parallelism_test import start_query  # noqa: E402
from kafka_test import describe_number, kafka_session, kcat  # noqa: E402
from sluice_driver import check, main  # noqa: E402

NEWER = [20000 + 1000 * i for i in range(10)] + [41000]  # partition 0
OLDER = [1000 * i for i in range(1, 10)] + [12000, 40000]  # partition 1
WANT = [(0, 9), (10000, 1), (20000, 10)]  # windows closed once both partitions passed 40 s


def test(binary, mock_binary, temp):
    topics = ["sb_in:2", "sb_w1:1", "sb_w2:1"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        for partition, stamps in ((0, NEWER), (1, OLDER)):
            kcat(["-P", "-b", bootstrap, "-t", "sb_in", "-p", str(partition)],
                 "\n".join(json.dumps({"ts": ts}) for ts in stamps) + "\n")
        shell.statement("CREATE STREAM sb_in (ts BIGINT) WITH ('store'='k', 'topic'='sb_in', "
                        "'timestamp'='ts');")
        select = ("AS SELECT window_start, COUNT(*) AS n FROM TUMBLE(sb_in, SIZE 10 SECONDS) "
                  "GROUP BY window_start, window_end;")
        queries = {}
        for topic, parallelism in (("sb_w1", 1), ("sb_w2", 2)):
            queries[topic] = start_query(
                shell, f"CREATE STREAM {topic} WITH ('store'='k', 'topic'='{topic}', "
                f"'parallelism'={parallelism}) {select}")
        shell.statement("FLUSH;", timeout=60)
        for topic, query_id in queries.items():
            got = sorted((r["window_start"], r["n"]) for r in map(json.loads, consume(bootstrap,
                                                                                      topic)))
            late = describe_number(shell, query_id, "late records")
            check(got == WANT and late == 0,
                  f"{topic} holds {got} with {late} late records, wanted {WANT} and none late")
        shell.close()


if __name__ == "__main__":
    main(test, extra_args=1)
