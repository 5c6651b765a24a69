"""Kafka end to end against librdkafka's mock cluster, with kcat as an independent client:
kcat produces JSON records (one of them bad), a Sluice persistent query reads the topic and
writes another, kcat consumes the output and it must match. The store's password never shows in
the data dir or in the worker's argv/environment. Then the broker goes away: once none answered
for the store's 'unavailable.timeout.ms' the query shows RETRYING with a reason naming the store
(kafka_faults_test.py checks that it runs again by itself when the broker is back).

usage: kafka_test.py <sluice binary> <sluice_kafka_mock binary>"""

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

from sluice_driver import PtyShell, check, main

PASSWORD = "pw-Zq81-never-in-clear"


class MockCluster:
    """sluice_kafka_mock: prints the bootstrap address, stays up until stdin closes."""

    def __init__(self, binary, topics):
        args = [binary, "--brokers", "1"]
        for topic in topics:
            args += ["--topic", topic]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        self.bootstrap = self.proc.stdout.readline().strip()
        check(re.match(r"^[\d.]+:\d+", self.bootstrap) is not None,
              f"mock cluster printed {self.bootstrap!r}, not host:port")

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        check(answer == "ok", f"mock cluster answered {answer!r} to {line!r}")

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def kafka_session(binary, mock_binary, temp, topics, timeout_ms):
    """A mock cluster holding `topics` and a shell with a Kafka store `k` on it (whose
    'unavailable.timeout.ms' is `timeout_ms`), as (cluster, shell); both are closed on the way
    out, whatever happened."""
    check(shutil.which("kcat") is not None, "kcat is not installed (apt-get install kcat)")
    cluster = MockCluster(mock_binary, topics)
    try:
        with PtyShell(binary, temp) as shell:
            shell.expect(r"sluice:\S*> ")
            shell.statement(f"CREATE STORE k WITH ('type'='kafka', 'uris'='{cluster.bootstrap}', "
                            f"'tls.disabled'='true', 'unavailable.timeout.ms'='{timeout_ms}');")
            yield cluster, shell
    finally:
        cluster.close()


def kcat(args, stdin_text=None):
    proc = subprocess.run(["kcat", *args], input=stdin_text, capture_output=True, text=True,
                          timeout=60)
    check(proc.returncode == 0, f"kcat {args} failed: {proc.stderr}")
    return proc.stdout


def describe_number(shell, query_id, name):
    """The number DESCRIBE QUERY `query_id` shows for `name` (e.g. "worker pid")."""
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {query_id};")
    match = re.search(re.escape(name) + r"\s*\|?\s*(\d+)", shell.output[start:])
    check(match is not None, f"DESCRIBE QUERY shows no {name}:\n{shell.output[start:]}")
    return int(match.group(1))


def worker_pid(shell, query_id):
    return describe_number(shell, query_id, "worker pid")


def assert_no_clear_password(data_dir, pid):
    needle = PASSWORD.encode()
    for root, _, files in os.walk(data_dir):
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, "rb") as handle:
                    check(needle not in handle.read(), f"{path} holds the password in clear")
            except (FileNotFoundError, PermissionError):
                pass
    for what in ("cmdline", "environ"):
        with open(f"/proc/{pid}/{what}", "rb") as handle:
            check(needle not in handle.read(), f"worker {what} holds the password")


def test(binary, mock_binary, temp):
    check(shutil.which("kcat") is not None, "kcat is not installed (apt-get install kcat)")
    cluster = MockCluster(mock_binary, ["in:3", "out:1"])
    shell = None
    try:
        bootstrap = cluster.bootstrap
        inputs = [{"id": i, "name": f"n{i}"} for i in range(1, 21)]
        kcat(["-P", "-b", bootstrap, "-t", "in"],
             "\n".join(json.dumps(record) for record in inputs) + "\n")
        kcat(["-P", "-b", bootstrap, "-t", "in", "-p", "1"], "{not json\n")

        shell = PtyShell(binary, temp)
        shell.expect(r"sluice:\S*> ")
        shell.statement(
            f"CREATE STORE k1 WITH ('type'='kafka', 'uris'='{bootstrap}', 'tls.disabled'='true', "
            f"'kafka.sasl.hash_function'='NONE', 'kafka.sasl.password'='{PASSWORD}', "
            f"'unavailable.timeout.ms'='3000');")
        shell.statement("DESCRIBE STORE k1;")
        check("********" in shell.output, "DESCRIBE STORE does not redact the password")
        shell.statement("CREATE STREAM src (id BIGINT, name VARCHAR) WITH ('store'='k1', "
                        "'topic'='in', 'source.deserialization.error.handling'='IGNORE');")
        shell.statement("CREATE STREAM dst (id BIGINT, name VARCHAR) WITH ('store'='k1', "
                        "'topic'='out');")
        shell.statement("CREATE STREAM bad (id BIGINT) WITH ('store'='k1', 'topic'='nope');")
        check("topic 'nope' does not exist" in shell.output and "declare 'partitions'" in shell.output,
              "a missing topic is not reported:\n" + shell.output[-2000:])
        start = len(shell.output)
        shell.statement("SHOW TOPICS IN STORE k1;")
        listed = re.findall(r"^\s*(\w+)\s*\|\s*(\d+)\s*$", shell.output[start:], re.M)
        check(("in", "3") in listed and ("out", "1") in listed and "nope" not in dict(listed),
              "SHOW TOPICS IN STORE k1 does not list in(3) and out(1):\n" + shell.output[start:])
        # The mock cluster does not implement the CreateTopics admin request, so creating a
        # topic can only be seen failing here, clearly and within the request timeout.
        start = len(shell.output)
        shell.statement("CREATE STREAM fresh (id BIGINT) WITH ('store'='k1', 'topic'='fresh', "
                        "'partitions'=2, 'replicas'=1);", timeout=60)
        check("cannot create topic 'fresh'" in shell.output[start:],
              "creating a topic the cluster cannot create is not reported:\n" +
              shell.output[start:])
        shell.statement("INSERT INTO dst SELECT id, UPPER(name) FROM src WHERE id % 2 = 0;",
                        wait_for=r"query (\d+) started")
        shell.expect(r"sluice:\S*> ")
        shell.statement("INSERT INTO src VALUES (100, 'hundred');")
        shell.statement("FLUSH;", timeout=120)

        got = kcat(["-C", "-b", bootstrap, "-t", "out", "-e", "-q"]).split("\n")
        got = sorted((json.loads(line) for line in got if line), key=lambda r: r["id"])
        want = [{"id": r["id"], "name": r["name"].upper()} for r in inputs if r["id"] % 2 == 0]
        want.append({"id": 100, "name": "HUNDRED"})
        check(got == want, f"kcat read {got}, wanted {want}")

        assert_no_clear_password(temp.data_dir, worker_pid(shell, 1))

        start = len(shell.output)
        shell.statement("DROP STORE k1;")
        check(re.search(r'cannot drop store "k1":.*src.*use it', shell.output[start:]) is not None,
              "DROP STORE of a store in use is not refused by name:\n" + shell.output[start:])

        cluster.command("down 1")
        deadline = time.monotonic() + 60
        while True:
            start = len(shell.output)
            shell.statement("SHOW QUERIES;")
            recent = shell.output[start:]
            if re.search(r"RETRYING.*broker unreachable for store k1", recent):
                break
            check(time.monotonic() < deadline,
                  "query does not show RETRYING after the broker went away:\n" + recent)
            time.sleep(1)
        cluster.command("up 1")
    finally:
        if shell is not None:
            shell.close()
        cluster.close()


if __name__ == "__main__":
    main(test, extra_args=1)
