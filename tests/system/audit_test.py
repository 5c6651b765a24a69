"""The audit log as a user meets it: every statement leaves a record with secrets redacted, and
`sluice audit verify` passes on an untouched log and names the first broken record after a byte
is changed, a record deleted, two records swapped, or the tail cut off."""

import os
import shutil
import subprocess

from sluice_driver import check, main, run_sql


def verify(binary, data_dir, env):
    proc = subprocess.run([binary, "--data-dir", data_dir, "audit", "verify"],
                          capture_output=True, text=True, env=env, timeout=60)
    return proc.returncode, proc.stdout + proc.stderr


def test(binary, temp):
    run_sql(binary, temp,
            "CREATE DATABASE shop; CREATE SCHEMA shop.raw;"
            "CREATE STORE k1 WITH ('type'='kafka', 'uris'='localhost:1',"
            " 'kafka.sasl.username'='u', 'kafka.sasl.password'='hunter2-secret');"
            "SHOW DATABASES;")
    run_sql(binary, temp, "SELECT nope FROM missing;", expect_code=3)
    log_path = os.path.join(temp.data_dir, "audit", "audit.log")
    with open(log_path, "rb") as handle:
        pristine = handle.read()
    text = pristine.decode()
    lines = text.splitlines(keepends=True)
    statements = [line for line in lines if "\tstatement\t" in line]
    check(len(statements) == 5, f"expected 5 statement records, got {len(statements)}:\n{text}")
    check(len(lines) == 8, f"expected 3 access decisions besides, got {len(lines) - 5}:\n{text}")
    check(b"hunter2-secret" not in pristine, "store password reached the audit log")
    check("'kafka.sasl.password'='********'" in text, "password not shown redacted:\n" + text)
    check("\tadmin\torgadmin\tlocal\tstatement\t" in statements[0],
          "record lacks who/what:\n" + statements[0])
    check("\tadmin\torgadmin\tlocal\taccess CREATE DATABASE\tshop\tallowed\t" in lines[0],
          "access decision not audited:\n" + lines[0])
    check("error: BINDER" in statements[4],
          "failed statement not audited as an error:\n" + statements[4])

    code, out = verify(binary, temp.data_dir, temp.env())
    check(code == 0 and "intact" in out, f"untouched log did not verify ({code}): {out}")

    def tampered(new_lines, expected):
        with open(log_path, "w") as handle:
            handle.write("".join(new_lines))
        code, out = verify(binary, temp.data_dir, temp.env())
        check(code == 2, f"tampering not detected ({code}): {out}")
        check(expected in out, f"wrong record named, wanted {expected!r}: {out}")
        with open(log_path, "wb") as handle:
            handle.write(pristine)

    flipped = list(lines)
    check("shop.raw" in flipped[3], "unexpected record 4:\n" + flipped[3])
    flipped[3] = flipped[3].replace("shop.raw", "shop.raX", 1)
    tampered(flipped, "record 4 ")
    tampered(lines[:2] + lines[3:], "record 3 ")
    tampered(lines[:5] + [lines[6], lines[5]] + lines[7:], "record 6 ")
    tampered(lines[:7], "after record 7")
    code, out = verify(binary, temp.data_dir, temp.env())
    check(code == 0, f"restored log did not verify: {out}")

    # --user: a known user logs in (audited); an unknown one is refused and audited too.
    run_sql(binary, temp, "SHOW DATABASES;", extra=("--user", "admin"))
    out = run_sql(binary, temp, "SHOW DATABASES;", expect_code=1, extra=("--user", "mallory"))
    check('login failed for user "mallory"' in out, "unclear login failure:\n" + out)
    with open(log_path) as handle:
        records = handle.read().splitlines()
    check(any("\tmallory\t\tlocal\tlogin\t" in r and "\tdenied: PERMISSION" in r for r in records),
          "failed login not audited:\n" + "\n".join(records[-3:]))
    check(any("\tadmin\torgadmin\tlocal\tlogin\t" in r for r in records), "login not audited")

    # The chain continues across processes.
    run_sql(binary, temp, "SHOW SCHEMAS;")
    code, out = verify(binary, temp.data_dir, temp.env())
    check(code == 0, f"log did not verify after a new process appended: {out}")


main(test)
