#!/usr/bin/env python3
"""Drive "hostgate enroll" through a pseudo-terminal, as an administrator
with an authenticator app would.

  ptydrive.py ANSWERS -- COMMAND...

ANSWERS is a comma-separated list, one per "Code from the app" prompt:
"right" (the code oathtool computes from the secret in the printed URI),
"wrong" (a code that is certainly not current), or "eof" (close the
terminal's input).  Prints everything the command wrote on the terminal and
exits with the command's status."""
import os
import pty
import re
import subprocess
import sys
import time

answers = sys.argv[1].split(",")
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)

out = b""
deadline = time.time() + 60


def code_now(kind):
    uri = re.search(rb"otpauth://\S+", out).group(0).decode()
    params = dict(p.split("=", 1) for p in uri.split("?", 1)[1].split("&"))
    argv = ["oathtool", "--totp=" + params["algorithm"], "-b",
            "-d", params["digits"], "-s", params["period"] + "s",
            "-w", "1", params["secret"]]
    # -w 1 prints the codes of now and the next step: "wrong" must be
    # neither of those nor of the step before.
    codes = subprocess.run(argv, check=True, capture_output=True,
                           text=True).stdout.split()
    if kind == "right":
        return codes[0]
    prev = subprocess.run(argv[:-3] + ["-N", "now - %s seconds"
                                       % params["period"], params["secret"]],
                          check=True, capture_output=True,
                          text=True).stdout.split()
    digits = int(params["digits"])
    n = int(codes[0])
    while True:
        n = (n + 1) % 10 ** digits
        c = "%0*d" % (digits, n)
        if c not in codes and c not in prev:
            return c


prompts = 0
while time.time() < deadline:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    while out.count(b"Code from the app") > prompts:
        kind = answers[min(prompts, len(answers) - 1)]
        prompts += 1
        if kind == "eof":
            os.write(fd, b"\x04")
        else:
            os.write(fd, (code_now(kind) + "\n").encode())
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
