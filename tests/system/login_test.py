"""Logging in with a password: `--user NAME -W` (or any caller that does not own the data dir)
checks the password from SLUICE_PASSWORD or a no-echo terminal prompt; failures read the same
whatever the cause, are audited, and after three of them each attempt must wait 1 s, 2 s, ...
(computed from the audit log, so it holds across processes)."""

import os
import pty
import select
import subprocess
import time

from sluice_driver import check, main, run_sql

STARTUP_FAILED = 1


def login(binary, temp, user, password, sql="SHOW GRANTS;"):
    env = temp.env()
    if password is not None:
        env["SLUICE_PASSWORD"] = password
    proc = subprocess.run([binary, "--data-dir", temp.data_dir, "--user", user, "-W", "-c", sql],
                          capture_output=True, text=True, env=env, timeout=60,
                          start_new_session=True, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


def prompt_login(binary, temp, user, password):
    """Runs `sluice --user USER -W` on a pseudo-terminal and types the password at the prompt."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([binary, "--data-dir", temp.data_dir, "--user", user, "-W", "-c",
                             "SHOW GRANTS;"], stdin=slave, stdout=slave, stderr=slave,
                            env=temp.env(), start_new_session=True, close_fds=True)
    os.close(slave)
    output = ""
    deadline = time.monotonic() + 30
    typed = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            output += chunk.decode(errors="replace")
        if not typed and f"Password for user {user}: " in output:
            os.write(master, (password + "\n").encode())
            typed = True
        if proc.poll() is not None and not ready:
            break
    code = proc.wait(timeout=30)
    os.close(master)
    return code, output


def test(binary, temp):
    run_sql(binary, temp,
            "CREATE USER bob WITH PASSWORD 'right-pw'; CREATE ROLE analyst;"
            "GRANT ROLE analyst TO USER bob; ALTER USER bob SET DEFAULT_ROLE = analyst;"
            "CREATE USER nopw;")

    code, out = login(binary, temp, "bob", "right-pw")
    check(code == 0, f"right password refused:\n{out}")
    # Every kind of failure reads the same.
    for user, password in (("bob", "wrong-pw"), ("nobody", "x"), ("nopw", "")):
        code, out = login(binary, temp, user, password)
        check(code == STARTUP_FAILED and f'login failed for user "{user}"' in out,
              f"{user}/{password}: not refused as expected ({code}):\n{out}")
        check("too many" not in out, f"throttled too early:\n{out}")
    # No terminal and no SLUICE_PASSWORD: nothing to ask.
    code, out = login(binary, temp, "bob", None)
    check(code == STARTUP_FAILED and "set SLUICE_PASSWORD or run sluice from a terminal" in out,
          f"missing password not reported:\n{out}")

    # bob's third failure: from now on each attempt waits, even with the right password.
    for _ in range(2):
        login(binary, temp, "bob", "wrong-pw")
    code, out = login(binary, temp, "bob", "right-pw")
    check(code == STARTUP_FAILED and "too many failed attempts, try again in 1 s" in out,
          f"third failure not throttled:\n{out}")
    time.sleep(1.2)
    code, out = login(binary, temp, "bob", "right-pw")
    check(code == 0, f"right password refused after the wait:\n{out}")
    # A success resets the count.
    code, out = login(binary, temp, "bob", "wrong-pw")
    check(code == STARTUP_FAILED and "too many" not in out, f"count not reset:\n{out}")

    # The terminal prompt does not echo the password.
    code, out = prompt_login(binary, temp, "bob", "right-pw")
    check(code == 0, f"prompted login failed ({code}):\n{out}")
    check("right-pw" not in out, f"password echoed:\n{out}")

    # The admin by local trust still needs no password, and may act as bob.
    run_sql(binary, temp, "SHOW GRANTS;", extra=("--user", "bob"))
    # Without -W a stray SLUICE_PASSWORD changes nothing for the local-trust caller.
    env = temp.env()
    env["SLUICE_PASSWORD"] = "wrong-pw"
    proc = subprocess.run([binary, "--data-dir", temp.data_dir, "-c", "SHOW GRANTS;"],
                          capture_output=True, text=True, env=env, timeout=60)
    check(proc.returncode == 0, f"local trust refused with SLUICE_PASSWORD set:\n{proc.stderr}")

    with open(os.path.join(temp.data_dir, "audit", "audit.log")) as handle:
        lines = handle.read().splitlines()
    logins = [line for line in lines if "\tlogin\t" in line]
    check(any("\tbob\t\tlocal\tlogin\t" in line and "\tdenied: " in line and
              "\tpassword\t" in line for line in logins), "failed login not audited")
    check(any("\tpassword (rate limited)\t" in line for line in logins),
          "throttled login not audited")
    check(any("\tbob\tanalyst\tlocal\tlogin\t" in line and "\tok\t" in line for line in logins),
          "successful login not audited")
    check(not any("right-pw" in line or "wrong-pw" in line for line in lines),
          "a password reached the audit log")


if __name__ == "__main__":
    main(test)
