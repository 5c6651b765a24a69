"""Governance statements across users: admin creates a user with a password and a role for it;
that user, logged in with `--user`, is refused what its roles do not allow (each refusal audited
with its position), and the password never reaches the audit log or the catalog in clear."""

import os

from sluice_driver import check, main, run_sql

STATEMENT_FAILED = 3


def test(binary, temp):
    run_sql(binary, temp,
            "CREATE USER bob WITH PASSWORD 'hunter2-pw';"
            "CREATE ROLE analyst; GRANT ROLE analyst TO USER bob;"
            "CREATE DATABASE shop; CREATE SCHEMA shop.raw;"
            "CREATE STREAM shop.raw.pv (a BIGINT) WITH ('topic'='shop_raw_pv');"
            "GRANT USAGE ON DATABASE shop TO ROLE analyst;"
            "GRANT USAGE ON SCHEMA shop.raw TO ROLE analyst;"
            "GRANT INSERT ON RELATION shop.raw.pv TO ROLE analyst;")
    # A password written without quotes is refused, and neither echoed nor logged.
    out = run_sql(binary, temp, "CREATE USER carl WITH PASSWORD unquoted-pw;",
                  expect_code=STATEMENT_FAILED)
    check("must be followed by a quoted string" in out, "unquoted password not refused:\n" + out)
    check("unquoted-pw" not in out.split("LINE 1:")[0], "error message echoes the password:\n" + out)
    out = run_sql(binary, temp, "SHOW USERS;")
    check("bob" in out and "analyst" in out, "SHOW USERS lacks bob and his role:\n" + out)

    bob = ("--user", "bob")
    # bob starts with his default role, public, which holds nothing: not even the database's
    # existence shows.
    out = run_sql(binary, temp, "INSERT INTO shop.raw.pv VALUES (1);", expect_code=STATEMENT_FAILED,
                  extra=bob)
    check('relation "shop.raw.pv" does not exist: database "shop" does not exist' in out,
          "public not refused as if the relation did not exist:\n" + out)
    # USE ROLE picks a role bob holds; another is refused.
    run_sql(binary, temp, "USE ROLE analyst; INSERT INTO shop.raw.pv VALUES (1);", extra=bob)
    out = run_sql(binary, temp, "USE ROLE sysadmin;", expect_code=STATEMENT_FAILED, extra=bob)
    check('user "bob" does not hold role "sysadmin"' in out, "USE ROLE not refused:\n" + out)

    denials = [
        ("CREATE ROLE r2;", 'role "analyst" lacks CREATE_ROLE on ORGANIZATION'),
        ("CREATE USER eve WITH PASSWORD 'x';", 'role "analyst" lacks CREATE_USER on ORGANIZATION'),
        ("DROP USER admin;", 'role "analyst" lacks CREATE_USER on ORGANIZATION'),
        ("DROP ROLE analyst;", 'role "analyst" lacks CREATE_ROLE on ORGANIZATION'),
        ("GRANT ROLE sysadmin TO USER bob;", 'role "analyst" lacks CREATE_ROLE on ORGANIZATION'),
        ("GRANT SELECT ON RELATION shop.raw.pv TO ROLE analyst;",
         'role "analyst" may not grant SELECT on shop.raw.pv'),
        ("REVOKE INSERT ON RELATION shop.raw.pv FROM ROLE analyst;",
         'role "analyst" may not revoke INSERT on shop.raw.pv'),
        ("SHOW GRANTS TO ROLE sysadmin;", 'role "analyst" may not see the grants of role'),
        ("SHOW USERS;", 'role "analyst" lacks CREATE_USER on ORGANIZATION'),
    ]
    for sql, message in denials:
        out = run_sql(binary, temp, "USE ROLE analyst; " + sql, expect_code=STATEMENT_FAILED,
                      extra=bob)
        check("PERMISSION: " + message in out, f"{sql} not refused as expected:\n{out}")
        check("LINE 1:" in out and "^" in out, f"{sql}: refusal has no position:\n{out}")

    # Admin takes bob's role away; bob can no longer use it.
    run_sql(binary, temp, "REVOKE ROLE analyst FROM USER bob;")
    out = run_sql(binary, temp, "USE ROLE analyst;", expect_code=STATEMENT_FAILED, extra=bob)
    check('user "bob" does not hold role "analyst"' in out, "revoked role still usable:\n" + out)
    run_sql(binary, temp, "DROP USER bob;")
    out = run_sql(binary, temp, "SHOW USERS;", expect_code=0)
    check("bob" not in out, "dropped user still listed:\n" + out)
    out = run_sql(binary, temp, "SHOW DATABASES;", expect_code=1, extra=bob)
    check('login failed for user "bob"' in out, "dropped user could log in:\n" + out)

    three_users_fifty_relations(binary, temp)

    with open(os.path.join(temp.data_dir, "audit", "audit.log")) as handle:
        log = handle.read()
    check("hunter2-pw" not in log, "password reached the audit log")
    check("unquoted-pw" not in log, "unquoted password reached the audit log")
    check("WITH PASSWORD '********'" in log, "password statement not audited redacted")
    for action in ("access CREATE ROLE", "access DROP USER", "grant role", "grant", "revoke",
                   "access SHOW GRANTS"):
        check(any(f"\tbob\tanalyst\tlocal\t{action}\t" in line and "\tdenied: " in line
                  for line in log.splitlines()), f"denied {action} not audited:\n{log}")
    check(any("\tbob\tpublic\tlocal\tuse role\t" in line and "\tdenied: " in line
              for line in log.splitlines()), "denied USE ROLE not audited")
    check(any("\tadmin\torgadmin\tlocal\tgrant\t" in line and "\tallowed\t" in line
              for line in log.splitlines()), "allowed GRANT not audited")
    for name in os.listdir(temp.data_dir):
        if name.startswith("catalog.db"):
            with open(os.path.join(temp.data_dir, name), "rb") as handle:
                check(b"hunter2-pw" not in handle.read(), f"password stored in clear in {name}")


def three_users_fifty_relations(binary, temp):
    """DeltaStream's 3 users x 50 topics: one schema-wide grant and three role grants give each
    user SELECT on all 50 relations (and nothing else), and one REVOKE takes it all away."""
    users = ("u1", "u2", "u3")
    setup = "CREATE SCHEMA shop.wide; CREATE ROLE readers;"
    for relation_idx in range(50):
        setup += (f"CREATE STREAM shop.wide.r{relation_idx} (a BIGINT) "
                  f"WITH ('topic'='wide_{relation_idx}');")
    for user in users:
        setup += f"CREATE USER {user}; GRANT ROLE readers TO USER {user};"
        setup += f"ALTER USER {user} SET DEFAULT_ROLE = readers;"
    setup += ("GRANT USAGE ON DATABASE shop TO ROLE readers;"
              "GRANT USAGE ON SCHEMA shop.wide TO ROLE readers;"
              "GRANT SELECT ON ALL RELATIONS IN SCHEMA shop.wide TO ROLE readers;")
    run_sql(binary, temp, setup)
    questions = "".join(f"CAN I SELECT ON RELATION shop.wide.r{relation_idx};"
                        for relation_idx in range(50))
    for user in users:
        out = run_sql(binary, temp, "SHOW RELATIONS IN shop.wide;" + questions,
                      extra=("--user", user))
        check(out.count('role "readers" may') == 50 and "may not" not in out,
              f"{user} does not have SELECT on all 50 relations:\n{out[-2000:]}")
        check("(50 rows)" in out, f"{user} does not see the 50 relations:\n{out[:3000]}")
        out = run_sql(binary, temp, "INSERT INTO shop.wide.r7 VALUES (1);",
                      expect_code=STATEMENT_FAILED, extra=("--user", user))
        check('role "readers" lacks INSERT on shop.wide.r7' in out, f"{user} may insert:\n{out}")
    run_sql(binary, temp, "REVOKE SELECT ON ALL RELATIONS IN SCHEMA shop.wide FROM ROLE readers;")
    for user in users:
        out = run_sql(binary, temp, "SHOW RELATIONS IN shop.wide;", extra=("--user", user))
        check("(0 rows)" in out, f"{user} still sees relations after the REVOKE:\n{out}")
        out = run_sql(binary, temp, "SELECT a FROM shop.wide.r0 LIMIT 1;",
                      expect_code=STATEMENT_FAILED, extra=("--user", user))
        check('relation "r0" does not exist' in out, f"{user} still reaches r0:\n{out}")


main(test)
