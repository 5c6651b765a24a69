"""The interactive shell on a real terminal: prompt, multi-line statements, a continuous query
cancelled with Ctrl-C while the shell survives, meta-commands, Ctrl-D to leave, history saved."""

import os

from sluice_driver import PtyShell, check, main


def test(binary, temp):
    shell = PtyShell(binary, temp)
    try:
        shell.expect(r"sluice:default_db\.public> ")
        # A statement over several lines runs when its ';' arrives.
        shell.send("CREATE STREAM clicks (id BIGINT, url VARCHAR)\n")
        shell.expect(r"\.\.\.> ")
        shell.statement("  WITH ('topic'='clicks', 'partitions'=2);")
        check("CREATE STREAM" in shell.output, "CREATE STREAM not acknowledged")
        shell.statement("INSERT INTO clicks VALUES (1, 'a'), (2, 'b'), (3, 'c');")
        check("INSERT 0 3" in shell.output, "INSERT not acknowledged")

        # A continuous query without LIMIT runs until Ctrl-C; the shell then prompts again.
        shell.send("SELECT id, UPPER(url) AS u FROM clicks;\n")
        shell.expect(r"\bC\b", timeout=90)
        shell.send("\x03")
        shell.expect(r"sluice:default_db\.public> ", timeout=90)
        # ... and still works.
        shell.statement("SELECT id FROM clicks WHERE id = 2 LIMIT 1;")
        check("(1 row)" in shell.output[-400:], "query after Ctrl-C did not run:\n" +
              shell.output[-400:])

        # Ctrl-C at the prompt discards the line being typed.
        shell.send("SELECT garbage")
        shell.send("\x03")
        shell.expect(r"sluice:default_db\.public> ")
        shell.statement("\\format csv")
        shell.statement("SELECT id, url FROM clicks WHERE id = 3 LIMIT 1;")
        check("3,c" in shell.output[-200:], "csv format not applied:\n" + shell.output[-200:])

        # An error shows psql-style with a caret, and the shell goes on.
        shell.statement("SELECT * FROM clickz;")
        check("ERROR:" in shell.output and "clicks" in shell.output[-400:],
              "no error with a did-you-mean hint:\n" + shell.output[-400:])

        shell.send("\x04")  # Ctrl-D
        code = shell.wait_exit()
        check(code == 0, f"shell exited {code} after Ctrl-D")
        history = os.path.join(temp.home, ".sluice_history")
        check(os.path.exists(history), "no ~/.sluice_history written")
        with open(history, errors="replace") as handle:
            check("INSERT INTO clicks" in handle.read(), "history lacks the statements")
    finally:
        shell.close()


main(test)
