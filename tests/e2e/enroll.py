#!/usr/bin/python3
"""Run the installed "hostgate enroll USER" on a pseudo-terminal, as an
administrator would, and answer its confirmation prompt with the code
oathtool computes from the otpauth:// URI it printed.

    enroll.py USER OUTDIR [ENROLL OPTIONS...]

Writes OUTDIR/USER.secret (the base32 secret of the URI) and
OUTDIR/USER.recovery (the recovery codes, one a line), prints the session
with the secret and the recovery codes masked, then "exit: N".
"""
import os
import re
import subprocess
import sys
import urllib.parse

import pexpect


def main():
    user, outdir, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    child = pexpect.spawn("/usr/sbin/hostgate", ["enroll", user] + extra,
                          encoding="utf-8", codec_errors="replace",
                          timeout=60)
    seen = []
    secret = code = None
    i = child.expect([r"Code from the app \((\d) digits\): ", pexpect.EOF,
                      pexpect.TIMEOUT])
    seen.append(child.before)
    if i == 0:
        seen.append(child.after)
        m = re.search(r"otpauth://totp/\S+", child.before)
        if m:
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(m.group(0)).query)
            secret = q.get("secret", [None])[0]
        if secret is None:
            seen.append("<no otpauth:// URI with a secret before the prompt>\n")
            child.close(force=True)
        else:
            digits = q.get("digits", ["6"])[0]
            period = q.get("period", ["30"])[0]
            algo = q.get("algorithm", ["SHA1"])[0].upper()
            code = subprocess.run(
                ["oathtool", "--totp=" + algo, "-d", digits, "-s", period + "s",
                 "-b", secret], check=True, capture_output=True,
                text=True).stdout.strip()
            child.sendline(code)
            seen.append("<code from oathtool>\n")
            child.expect([pexpect.EOF, pexpect.TIMEOUT])
            seen.append(child.before)
    child.close()
    status = child.exitstatus if child.exitstatus is not None else 255
    text = "".join(seen).replace("\r\n", "\n")
    codes = re.findall(r"^\s+([0-9a-z]{5}-[0-9a-z]{5})\s*$", text, re.M)
    if secret:
        with open(os.path.join(outdir, user + ".secret"), "w") as f:
            f.write(secret + "\n")
        text = text.replace(secret, "<secret>")
        # The key is also printed in groups of four.
        grouped = " ".join(secret[j:j + 4] for j in range(0, len(secret), 4))
        text = text.replace(grouped, "<secret, grouped>")
    with open(os.path.join(outdir, user + ".recovery"), "w") as f:
        f.write("".join(c + "\n" for c in codes))
    for c in codes:
        text = text.replace(c, "<recovery code>")
    if code:
        text = text.replace(code, "<code>")    # the prompt echoes it
    sys.stdout.write(text)
    print("exit: %d" % status)
    sys.exit(status)


if __name__ == "__main__":
    main()
