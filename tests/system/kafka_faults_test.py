"""Kafka faults against librdkafka's mock cluster, with kcat as the independent client:

- injected produce errors: the cluster answers the query's first Produce requests with a
  retriable error (NOT_LEADER_OR_FOLLOWER); the idempotent producer retries, and kcat reads every
  expected record exactly once;
- broker down then up: the query fails with a reason naming the store once the broker has been
  unreachable for the store's 'unavailable.timeout.ms'; when the broker is back, RESTART QUERY
  resumes from the query's checkpointed offsets and the output holds every input record, the ones
  produced while the query was down included (at-least-once: nothing lost).

usage: kafka_faults_test.py <sluice binary> <sluice_kafka_mock binary>"""

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_features_test import consume, wait_for_state  # noqa: E402
from kafka_test import MockCluster, kcat  # noqa: E402
from sluice_driver import PtyShell, check, main  # noqa: E402

PRODUCE_API_KEY = 0
NOT_LEADER_OR_FOLLOWER = 6


def produce(bootstrap, topic, ids):
    lines = [json.dumps({"id": i, "name": f"n{i}"}) for i in ids]
    kcat(["-P", "-b", bootstrap, "-t", topic], "\n".join(lines) + "\n")


def output_ids(bootstrap, topic):
    return [json.loads(line)["id"] for line in consume(bootstrap, topic)]


def test(binary, mock_binary, temp):
    check(shutil.which("kcat") is not None, "kcat is not installed (apt-get install kcat)")
    cluster = MockCluster(mock_binary, ["in:3", "out:1"])
    shell = None
    try:
        bootstrap = cluster.bootstrap
        first = list(range(1, 501))
        produce(bootstrap, "in", first)

        shell = PtyShell(binary, temp)
        shell.expect(r"sluice:\S*> ")
        shell.statement(f"CREATE STORE k WITH ('type'='kafka', 'uris'='{bootstrap}', "
                        f"'tls.disabled'='true', 'unavailable.timeout.ms'='3000');")
        shell.statement("CREATE STREAM src (id BIGINT, name VARCHAR) WITH ('store'='k', "
                        "'topic'='in');")
        shell.statement("CREATE STREAM dst (id BIGINT, name VARCHAR) WITH ('store'='k', "
                        "'topic'='out');")

        # Every Produce request from now on fails until five have: only the query produces.
        cluster.command(f"fail {PRODUCE_API_KEY} 5 {NOT_LEADER_OR_FOLLOWER}")
        shell.statement("INSERT INTO dst SELECT id, UPPER(name) AS name FROM src;",
                        wait_for=r"query (\d+) started")
        shell.expect(r"sluice:\S*> ")
        shell.statement("FLUSH;", timeout=120)
        got = output_ids(bootstrap, "out")
        check(sorted(got) == first,
              f"after injected produce errors kcat read {len(got)} records "
              f"({len(set(got))} distinct), wanted ids 1..500 once each")

        cluster.command("down 1")
        wait_for_state(shell, 1, r"FAILED.*no broker of Kafka store 'k'")
        cluster.command("up 1")
        second = list(range(501, 801))
        produce(bootstrap, "in", second)
        shell.statement("RESTART QUERY 1;")
        wait_for_state(shell, 1, "RUNNING")
        shell.statement("FLUSH;", timeout=120)
        got = output_ids(bootstrap, "out")
        missing = sorted(set(first + second) - set(got))
        check(not missing, f"after the broker came back {len(missing)} records are missing, "
                           f"e.g. {missing[:10]}")
        check(set(got) == set(first + second), f"unexpected ids in the output: "
                                               f"{sorted(set(got) - set(first + second))[:10]}")
    finally:
        if shell is not None:
            shell.close()
        cluster.close()


if __name__ == "__main__":
    main(test, extra_args=1)
