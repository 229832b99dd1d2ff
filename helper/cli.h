/*
 * Commands of the admin CLI (helper/hostgate) that live in their own
 * files.  Each takes its own argv, argv[0] being the command's name, and
 * returns the process's exit status: 0 success, 1 failure, 2 usage.
 */
#ifndef HG_CLI_H
#define HG_CLI_H

/*
 * "hostgate audit verify [--config FILE] [JOURNAL...]": check the journals
 * (default: audit_log from the settings) as one hash chain, in the order
 * given (oldest rotated file first): every line's form and hash, that each
 * record chains to the one before it, and that seq rises by exactly 1.
 * Prints "ok N records" and returns 0, or names the first bad record
 * ("FILE:LINE: error: seq N: ...": edited, deleted, reordered, truncated)
 * on stderr and returns 1.  Returns 2 for a usage error.
 * --config also works before the command if the dispatcher passes it on
 * in ARGV.
 */
int cli_audit(int argc, char **argv);

#endif /* HG_CLI_H */
