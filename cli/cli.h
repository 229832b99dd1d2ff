/*
 * The commands of the admin CLI (cli/hostgate), one file each: cli_NAME()
 * is in cli_NAME.c and has its entry in hostgate.c's table.  Each takes
 * its own argv, argv[0] being the command's name, and returns the
 * process's exit status: 0 success, 1 failure, 2 usage.
 */
#ifndef HG_CLI_H
#define HG_CLI_H

/*
 * "hostgate check [FILE] [--config FILE]": load the policy set (default:
 * policy from the settings) and print every error as FILE:LINE:COL, then
 * the lint warnings and warnings about the settings.  Prints "PATH: valid
 * (N files, N roles, N rules, N warnings)" and returns 0, or returns 1 for
 * an invalid policy or unusable settings, 2 for a usage error.
 */
int cli_check(int argc, char **argv);

/*
 * "hostgate explain USER [--service S] [--from ADDR] [--at 'YYYY-MM-DD
 * HH:MM'] [--mfa] [--config FILE]": decide the account phase for that
 * request (default: sshd, local, now, no second factor) with the
 * configured policy and print the decision, its reason and rule, the
 * user's groups and roles, and how ADDR reads as an address.  Returns 0
 * allow, 1 deny, 2 for a usage error, unusable settings, an invalid
 * policy or a user NSS cannot look up.
 */
int cli_explain(int argc, char **argv);

/*
 * "hostgate edit [--file FILE] [--config FILE]": edit the policy (or FILE,
 * one file of its include directory) in $VISUAL or $EDITOR on a copy,
 * under a lock for the whole set, and put it in place only when the set
 * with the edit still loads; otherwise ask to edit again or discard.
 * Returns 0 (replaced, or nothing changed), 1 when nothing was replaced,
 * 2 for a usage error.
 */
int cli_edit(int argc, char **argv);

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

/*
 * "hostgate enroll USER [--digits 6|8] [--algorithm sha1|sha256|sha512]
 * [--period N] [--issuer NAME] [--recovery N] [--force] [--no-confirm]
 * [--qr ansi|utf8|none|png:FILE] [--config FILE]": make a random seed,
 * print its otpauth:// URI and QR code, ask for a first code on the
 * terminal, then write the seed (sealed; seed.key is created if missing)
 * and print the recovery codes once.  Root only.  Returns 0, 1 (nothing
 * written), 2 for a usage error.
 */
int cli_enroll(int argc, char **argv);

/*
 * "hostgate import --google-authenticator FILE --user USER [--force]" and
 * "hostgate import --oath USERSFILE [--user USER] [--force]", each with
 * [--config FILE]: write seeds from pam_google_authenticator and pam_oath
 * files.  Root only.  Returns 0 when everything selected was imported, 1
 * when something was not (each reported as FILE:LINE on stderr), 2 for a
 * usage error.
 */
int cli_import(int argc, char **argv);

/*
 * "hostgate seal [--config FILE]": seal every plain seed in secrets_dir
 * (creating seed.key if missing); a second run changes nothing.  Root
 * only.  Returns 0, 1 when a seed could not be sealed, 2 for a usage error.
 */
int cli_seal(int argc, char **argv);

/*
 * "hostgate status [USER] [--config FILE]": print a table of the users
 * with a seed or lockout state.  Root only.  Returns 0, 1 when a file could
 * not be read, 2 for a usage error.
 */
int cli_status(int argc, char **argv);

/*
 * "hostgate unlock USER [--source SRC] [--config FILE]": clear the lockout
 * state of USER, of one source or all, and record an "unlock" audit event.
 * Root only.  Returns 0 (also when there was nothing to clear), 1 for an
 * unknown source or a failure, 2 for a usage error.
 */
int cli_unlock(int argc, char **argv);

#endif /* HG_CLI_H */
