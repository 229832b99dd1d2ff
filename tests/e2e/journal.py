#!/usr/bin/python3
"""Query an audit journal (audit.jsonl) for the end-to-end tests.

    journal.py FILE last-seq
        the seq of the last record (0 if there is none)
    journal.py FILE find [--after SEQ] KEY=VALUE...
        one line per record newer than SEQ whose fields match:
        "SEQ EVENT RESULT REASON RULE FACTORS"

A value "-" matches a null field.  A line that is not a JSON object is an
error (exit 2): the journal must stay machine-readable.
"""
import json
import signal
import sys


def records(path):
    try:
        f = open(path, encoding="utf-8")
    except FileNotFoundError:
        return
    with f:
        for n, line in enumerate(f, 1):
            try:
                rec = json.loads(line)
            except ValueError:
                sys.exit("%s:%d: not a JSON record" % (path, n))
            if not isinstance(rec, dict):
                sys.exit("%s:%d: not a JSON object" % (path, n))
            yield rec


def show(value):
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(value) or "-"
    return str(value)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # "| head -1"
    path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "last-seq":
        last = 0
        for rec in records(path):
            last = rec.get("seq", last)
        print(last)
        return
    if cmd != "find":
        sys.exit("usage: journal.py FILE last-seq | find [--after SEQ] K=V...")
    after = 0
    if args[:1] == ["--after"]:
        after = int(args[1])
        args = args[2:]
    want = dict(a.split("=", 1) for a in args)
    for rec in records(path):
        if rec.get("seq", 0) <= after:
            continue
        if all(show(rec.get(k)) == v for k, v in want.items()):
            print(" ".join(show(rec.get(k)) for k in
                           ("seq", "event", "result", "reason", "rule",
                            "factors")))


if __name__ == "__main__":
    main()
