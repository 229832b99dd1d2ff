#!/usr/bin/python3
"""Drive the real OpenSSH client through a pseudo-terminal.

    HG_PASSWORD=... HG_CODE=... sshlogin.py PORT USER [--key FILE] -- CMD...

Logs in to 127.0.0.1:PORT as USER and runs CMD.  Without --key it offers
only keyboard-interactive authentication and answers "Password:" with
$HG_PASSWORD and "Verification code:" with $HG_CODE, once each: a second
round of prompts means the server refused, and is not answered.  With
--key it offers only that public key, and answers no prompt.

Prints the session as the terminal saw it (the answers are not echoed),
then "exit: N" with the client's status, and exits with that status
(255: ssh failed, e.g. "Permission denied").
"""
import os
import sys

import pexpect


def main():
    args = sys.argv[1:]
    if "--" not in args or len(args) < 4:
        sys.exit(__doc__)
    sep = args.index("--")
    opts, command = args[:sep], args[sep + 1:]
    port, user = opts[0], opts[1]
    key = opts[opts.index("--key") + 1] if "--key" in opts else None

    ssh = ["-F", "/dev/null", "-p", port, "-l", user,
           "-o", "StrictHostKeyChecking=no",
           "-o", "UserKnownHostsFile=/dev/null",
           "-o", "GlobalKnownHostsFile=/dev/null",
           "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20",
           "-o", "NumberOfPasswordPrompts=1"]
    if key:
        ssh += ["-o", "PreferredAuthentications=publickey",
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-i", key]
    else:
        ssh += ["-o", "PreferredAuthentications=keyboard-interactive",
                "-o", "PubkeyAuthentication=no"]
    ssh += ["127.0.0.1", "--"] + command

    answers = {
        0: ("password", os.environ.get("HG_PASSWORD")),
        1: ("code", os.environ.get("HG_CODE")),
    }
    asked = set()
    child = pexpect.spawn("/usr/bin/ssh", ssh, encoding="utf-8",
                          codec_errors="replace", timeout=60)
    seen = []
    while True:
        i = child.expect([r"[Pp]assword: ", r"Verification code: ",
                          pexpect.EOF, pexpect.TIMEOUT])
        seen.append(child.before)
        if i in (0, 1):
            seen.append(child.after)
            what, value = answers[i]
            if i in asked or value is None or key:
                seen.append("<%s prompt again: not answered>\n" % what)
                child.close(force=True)
                break
            asked.add(i)
            seen.append("<%s>\n" % what)
            child.sendline(value)
            continue
        if i == 3:
            seen.append("<timeout>\n")
            child.close(force=True)
        break
    child.close()
    status = child.exitstatus if child.exitstatus is not None else 255
    sys.stdout.write("".join(seen).replace("\r\n", "\n"))
    print("exit: %d" % status)
    sys.exit(status)


if __name__ == "__main__":
    main()
