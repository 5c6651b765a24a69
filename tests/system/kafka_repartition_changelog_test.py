"""A GROUP BY over a Kafka changelog with 'parallelism'=3 over librdkafka's mock cluster
(docs/kafka.md "GROUP BY with parallelism N"), with kcat as the independent client. Accounts
(keyed by id, so all versions of an account are in one partition) move between owners, and
tombstones delete them:

- parallelism 1, 3 and 3 with 'delivery.guarantee'='exactly_once' end with the groups Python
  computes from the versions (the last record of each owner, tombstones deleting);
- a stage-1 worker of each parallel query SIGKILLed while versions stream in restarts alone from its
  checkpoint, where each account went included, and later versions move the accounts it routed
  before: no account is lost or counted in two groups;
- stage-1 workers killed between their commit and its publication ('committed') and the
  exactly-once query's stage-2 worker inside its two-phase commit ('prepared'), through the
  crash-at file (runtime/pipeline/crash_point.h): the same;
- TERMINATE, versions meanwhile, then RESTART QUERY: the same.

usage: kafka_repartition_changelog_test.py <sluice binary> <sluice_kafka_mock binary>"""

import collections
import json
import os
import random
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_parallelism_test import start_on_kafka  # noqa: E402
from kafka_repartition_test import describe, wait_restarted  # noqa: E402
from kafka_test import kafka_session, kcat  # noqa: E402
from sluice_driver import check, main  # noqa: E402

PARTITIONS = 4
ACCOUNTS = 300
OWNERS = 12
GROUP_SQL = ("SELECT owner, COUNT(*) AS n, SUM(balance) AS total, MAX(balance) AS high "
             "FROM accounts WHERE balance % 7 <> 0 GROUP BY owner")
QUERIES = [("per1", 1, ""), ("per3", 3, ""),
           ("eos3", 3, ", 'delivery.guarantee'='exactly_once'")]


def versions(rng, count, tombstones):
    """`count` versions of random accounts (owner and balance), a share of them tombstones."""
    out = []
    for _ in range(count):
        account = f"a{rng.randrange(ACCOUNTS)}"
        if rng.random() < tombstones:
            out.append((account, None))
        else:
            out.append((account, {"id": account, "owner": f"o{rng.randrange(OWNERS)}",
                                  "balance": rng.randrange(100)}))
    return out


def produce(bootstrap, changes):
    """Keyed by id: an account's versions stay in one partition, in order."""
    by_partition = collections.defaultdict(list)
    for account, value in changes:
        text = "" if value is None else json.dumps(value)
        by_partition[sum(account.encode()) % PARTITIONS].append(f"{account}:{text}")
    for partition, lines in by_partition.items():
        kcat(["-P", "-b", bootstrap, "-t", "accounts", "-p", str(partition), "-K", ":", "-Z"],
             "\n".join(lines) + "\n")


def expected(changes):
    current = {}
    for account, value in changes:
        if value is None:
            current.pop(account, None)
        else:
            current[account] = value
    groups = {}
    for value in current.values():
        if value["balance"] % 7 == 0:
            continue
        n, total, high = groups.get(value["owner"], (0, 0, -1))
        groups[value["owner"]] = (n + 1, total + value["balance"], max(high, value["balance"]))
    return groups


def got(bootstrap, topic):
    """Each owner's last record (an owner's updates share a partition, in order); a tombstone
    deletes it. Read committed: the exactly-once query's aborted records do not count."""
    groups = {}
    lines = kcat(["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-Z", "-f", "%k\t%s\\n",
                  "-X", "isolation.level=read_committed"]).split("\n")
    for line in lines:
        if not line:
            continue
        owner, value = line.split("\t", 1)
        if value == "NULL":
            groups.pop(owner, None)
        else:
            row = json.loads(value)
            groups[owner] = (row["n"], row["total"], row["high"])
    return groups


def check_outputs(bootstrap, changes, when):
    want = expected(changes)
    for name, _, _ in QUERIES:
        have = got(bootstrap, name)
        check(have == want, f"{when}: {name} has {sorted(have.items())}, wanted "
              f"{sorted(want.items())}")


def test(binary, mock_binary, temp):
    topics = [f"accounts:{PARTITIONS}"] + [f"{name}:2" for name, _, _ in QUERIES]
    rng = random.Random(5)
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        shell.statement("CREATE CHANGELOG accounts (id VARCHAR, owner VARCHAR, balance BIGINT, "
                        "PRIMARY KEY (id)) WITH ('store'='k', 'topic'='accounts');")
        changes = versions(rng, 3000, 0.1)
        produce(bootstrap, changes)
        queries = {}
        for name, parallelism, extra in QUERIES:
            queries[name] = start_on_kafka(shell, "CHANGELOG", name, parallelism, GROUP_SQL,
                                           extra)
        shell.statement("FLUSH;", timeout=120)
        check_outputs(bootstrap, changes, "at first")

        # A stage-1 worker of each parallel query killed while versions stream in: it restarts
        # from its checkpoint (routes, positions and repartition-topic ends together).
        for round_idx in range(2):
            pids = {}
            for name in ("per3", "eos3"):
                workers, _ = describe(shell, queries[name])
                pids[name] = workers[(1, round_idx)][0]
            more = versions(rng, 20000, 0.05)
            produce(bootstrap, more)
            changes += more
            for name, pid in pids.items():
                os.kill(pid, signal.SIGKILL)
            for name, pid in pids.items():
                wait_restarted(shell, queries[name], (1, round_idx), pid)
            # Later versions move accounts the restarted worker routed before it died.
            more = versions(rng, 5000, 0.05)
            produce(bootstrap, more)
            changes += more
            shell.statement("FLUSH;", timeout=120)
            check_outputs(bootstrap, changes, f"after stage-1 worker {round_idx} was killed")

        # Crash points: stage-1 worker 2 between its commit (routes, positions and ends) and the
        # publication of its rows ('committed'), and the exactly-once query's stage-2 worker 0
        # inside its two-phase commit ('prepared').
        victims = [(name, (1, 2), "committed") for name in ("per3", "eos3")]
        victims.append(("eos3", (2, 0), "prepared"))
        armed = []
        for name, worker, point in victims:
            workers, _ = describe(shell, queries[name])
            number = (worker[0] - 1) * 3 + worker[1]
            path = os.path.join(temp.data_dir, "state", str(queries[name]), f"worker-{number}",
                                "crash-at")
            with open(path, "w") as handle:
                handle.write(point + "\n")
            armed.append((name, worker, workers[worker][0], path))
        more = versions(rng, 5000, 0.05)
        produce(bootstrap, more)
        changes += more
        for name, worker, pid, path in armed:
            wait_restarted(shell, queries[name], worker, pid)
            check(not os.path.exists(path), f"{worker} of {name} did not reach its crash point")
        more = versions(rng, 5000, 0.05)
        produce(bootstrap, more)
        changes += more
        shell.statement("FLUSH;", timeout=120)
        check_outputs(bootstrap, changes, "after the crash points")

        # TERMINATE, versions meanwhile, RESTART: stage 1 restores where each account went.
        for name in ("per3", "eos3"):
            shell.statement(f"TERMINATE QUERY {queries[name]};")
        more = versions(rng, 5000, 0.1)
        produce(bootstrap, more)
        changes += more
        for name in ("per3", "eos3"):
            shell.statement(f"RESTART QUERY {queries[name]};")
        shell.statement("FLUSH;", timeout=120)
        check_outputs(bootstrap, changes, "after TERMINATE and RESTART")


if __name__ == "__main__":
    main(test, extra_args=1)
