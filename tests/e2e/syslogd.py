#!/usr/bin/python3
"""A minimal syslog receiver for the end-to-end tests.

    syslogd.py SOCKET OUTFILE [FORWARD]

Binds a datagram socket at SOCKET (normally /dev/log, mode 0666 so that
every user can log), appends each message it receives to OUTFILE as one
line, and, if FORWARD names the socket of the syslog daemon that was
there before, passes every message on to it so that the host's log loses
nothing while the test runs.  SIGTERM ends it; the caller removes SOCKET.
"""
import os
import signal
import socket
import sys


def main():
    path, outfile = sys.argv[1], sys.argv[2]
    forward = sys.argv[3] if len(sys.argv) > 3 else None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    old = os.umask(0)
    try:
        sock.bind(path)
    finally:
        os.umask(old)
    out = open(outfile, "ab", buffering=0)
    fwd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) if forward else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        data = sock.recv(65536)
        out.write(data.rstrip(b"\0\n").replace(b"\n", b" ") + b"\n")
        if fwd is not None:
            try:
                fwd.sendto(data, forward)
            except OSError:
                pass


if __name__ == "__main__":
    main()
