"""Drives the real `sluice` binary for system tests: a shell on a pseudo-terminal, or one-shot
`-c` runs. Every wait has a deadline, so a hung binary fails the test instead of hanging it."""

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import struct
import tempfile
import termios
import time


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


class TempDataDir:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="sluice-system-")
        self.data_dir = os.path.join(self.root, "data")
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)

    def env(self):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
               "TERM": "dumb"}
        return env

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def run_sql(binary, temp, sql, expect_code=0, extra=()):
    """Runs `sluice -c SQL` and returns stdout; checks the exit code."""
    proc = subprocess.run([binary, "--data-dir", temp.data_dir, *extra, "-c", sql],
                          capture_output=True, text=True, env=temp.env(), timeout=120)
    check(proc.returncode == expect_code,
          f"sluice -c {sql!r} exited {proc.returncode}, wanted {expect_code}\n"
          f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc.stdout + proc.stderr


TIOCGPTN = 0x80045430  # <asm/ioctls.h>: the pts number of a pty master (not in Python's termios)


class PtyShell:
    """The interactive shell on a pseudo-terminal, as a person at a terminal sees it."""

    def __init__(self, binary, temp, extra=()):
        master, slave = pty.openpty()
        self.proc = subprocess.Popen([binary, "--data-dir", temp.data_dir, *extra], stdin=slave,
                                     stdout=slave, stderr=slave, env=temp.env(),
                                     start_new_session=True, close_fds=True)
        self.slave_name = os.ttyname(slave)
        os.close(slave)
        self.master = master
        self.output = ""   # everything read so far
        self.cursor = 0    # expect() searches from here

    def send(self, text):
        os.write(self.master, text.encode())

    def expect(self, pattern, timeout=90.0):
        """Waits until `pattern` appears after the cursor; moves the cursor past it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.output, self.cursor)
            if match:
                self.cursor = match.end()
                return match
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure(f"timed out waiting for {pattern!r} after:\n"
                                  f"{self.output[:self.cursor][-500:]}\nthen the shell printed:\n"
                                  f"{self.output[self.cursor:][-3000:]}\n{self.terminal_report()}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise TestFailure(f"shell closed its terminal while waiting for {pattern!r};"
                                      f" it printed:\n{self.output[-3000:]}")
                self.output += chunk.decode(errors="replace")

    def statement(self, sql, wait_for=None, timeout=60.0):
        """Sends one statement and waits for the next prompt (or `wait_for`)."""
        self.send(sql + "\n")
        return self.expect(wait_for or r"sluice:\S*> ", timeout)

    def terminal_report(self):
        """Where the shell's output should go and what is pending there, for a failed wait."""
        lines = [f"terminal: the shell's is {self.slave_name}"]
        try:
            number = fcntl.ioctl(self.master, TIOCGPTN, struct.pack("I", 0))
            lines.append(f"the test's master is that of /dev/pts/{struct.unpack('I', number)[0]}")
        except OSError as error:
            lines.append(f"the test's master: unknown ({error})")
        try:
            pending = fcntl.ioctl(self.master, termios.FIONREAD, struct.pack("i", 0))
            lines.append(f"bytes pending on the master: {struct.unpack('i', pending)[0]}")
        except OSError as error:
            lines.append(f"bytes pending on the master: unknown ({error})")
        proc_dir = f"/proc/{self.proc.pid}"
        for fd in (0, 1, 2):
            try:
                lines.append(f"shell fd {fd}: {os.readlink(f'{proc_dir}/fd/{fd}')}")
            except OSError as error:
                lines.append(f"shell fd {fd}: unknown ({error})")
        try:
            slave = os.open(self.slave_name, os.O_RDWR | os.O_NOCTTY)
            try:
                iflag, oflag, cflag, lflag, _, _, _ = termios.tcgetattr(slave)
                lines.append(f"terminal modes: iflag {iflag:#x} oflag {oflag:#x} cflag {cflag:#x}"
                             f" lflag {lflag:#x}")
            finally:
                os.close(slave)
        except OSError as error:
            lines.append(f"terminal modes: unknown ({error})")
        for name in ("wchan", "syscall", "stack"):
            try:
                with open(f"{proc_dir}/{name}") as handle:
                    lines.append(f"shell {name}: {handle.read().strip()}")
            except OSError as error:
                lines.append(f"shell {name}: unknown ({error})")
        return "\n".join(lines)

    def wait_exit(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                return code
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:
                    pass
        raise TestFailure("shell did not exit")

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.master is not None:
            os.close(self.master)
            self.master = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def restarting_shell(binary, temp):
    """A shell whose supervisor restarts killed workers at once, however often (the default
    back-off and crash limit would slow down or fail a test that kills workers on purpose)."""
    return PtyShell(binary, temp, extra=("--worker-crash-limit", "1000",
                                         "--worker-max-backoff-ms", "100"))


def main(test, extra_args=0):
    """Runs test(binary, *next extra_args arguments, temp) and prints PASSED or FAILED."""
    binary = sys.argv[1]
    extra = sys.argv[2:2 + extra_args]
    temp = TempDataDir()
    try:
        test(binary, *extra, temp)
    except TestFailure as failure:
        print(f"FAILED: {failure}")
        sys.exit(1)
    finally:
        temp.cleanup()
    print("PASSED")
