/*
 * hostgate audit verify: check journals written by hostgated.
 *
 * A journal is only as good as its chain: each line carries the hash of
 * the line before it (record_check_line() checks a line against its own
 * hash and its predecessor's), and seq rises by exactly one.  So an edited
 * line fails its own hash; a deleted or moved line breaks the seq and the
 * chain at the line after it; a line cut short has no newline or no hash.
 * What a chain cannot show is whole lines cut off the end of the newest
 * file: syslog (seq= on every line) is the independent copy for that.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "err.h"
#include "record.h"

#define EXIT_USAGE	2
#define OWNER		0	/* whose settings we trust */

/* Where the chain stands after the lines read so far. */
struct chain {
	long long	 count;		/* records checked */
	long long	 seq;		/* the last one's, 0 before any */
	char		 hash[RECORD_HASH_HEX + 1];
};

static void
usage(void)
{
	fprintf(stderr, "usage: hostgate audit verify [--config FILE] "
	    "[JOURNAL...]\n");
}

/* The seq a (perhaps damaged) line claims, or -1. */
static long long
claimed_seq(const char *line)
{
	long long seq;
	char *end;

	if (strncmp(line, "{\"seq\":", 7) != 0)
		return -1;
	errno = 0;
	seq = strtoll(line + 7, &end, 10);
	if (end == line + 7 || *end != ',' || errno != 0 || seq < 1)
		return -1;
	return seq;
}

/* The line number, counted from OFF's line as FROM, where WANT is. */
static long long
find_seq(const char *path, off_t off, long long from, long long want)
{
	char *line = NULL;
	size_t cap = 0;
	long long n = from, found = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return 0;
	if (fseeko(f, off, SEEK_SET) == 0)
		while (getline(&line, &cap, f) != -1) {
			n++;
			if (claimed_seq(line) == want) {
				found = n;
				break;
			}
		}
	free(line);
	fclose(f);
	return found;
}

/*
 * Explain a line whose seq is not the one expected: deleted if the
 * expected one is nowhere later in the file, else reordered.
 */
static void
seq_problem(const char *path, long long lineno, off_t next,
    long long want, long long got)
{
	long long at = find_seq(path, next, lineno, want);

	if (got < want)
		fprintf(stderr, "%s:%lld: error: seq %lld: reordered: found "
		    "seq %lld after seq %lld (seq goes backwards)\n", path,
		    lineno, want, got, want - 1);
	else if (at > 0)
		fprintf(stderr, "%s:%lld: error: seq %lld: reordered: found "
		    "seq %lld here; seq %lld is at line %lld\n", path, lineno,
		    want, got, want, at);
	else if (got == want + 1)
		fprintf(stderr, "%s:%lld: error: seq %lld: deleted: found "
		    "seq %lld; seq %lld is missing\n", path, lineno, want, got,
		    want);
	else
		fprintf(stderr, "%s:%lld: error: seq %lld: deleted: found "
		    "seq %lld; seq %lld to %lld are missing\n", path, lineno,
		    want, got, want, got - 1);
}

/* Check one journal file, continuing CH.  0 intact, 1 not. */
static int
verify_file(const char *path, struct chain *ch)
{
	struct hg_msg msg = { "" };
	char hash[RECORD_HASH_HEX + 1], *line = NULL;
	long long lineno = 0, seq, want;
	size_t cap = 0, len;
	ssize_t n;
	int r = 1, e;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "hostgate: audit: %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	while ((errno = 0, n = getline(&line, &cap, f)) != -1) {
		lineno++;
		len = (size_t)n;
		want = ch->seq + 1;
		if (line[len - 1] != '\n') {
			seq = claimed_seq(line);
			fprintf(stderr, "%s:%lld: error: seq %lld: truncated: "
			    "the last line has no newline (cut off)\n", path,
			    lineno, seq > 0 ? seq : want);
			goto out;
		}
		line[--len] = '\0';
		e = record_check_line(line, len, NULL, &seq, hash, &msg);
		if (e != 0) {
			seq = claimed_seq(line);
			fprintf(stderr, "%s:%lld: error: seq %lld: %s%s\n",
			    path, lineno, seq > 0 ? seq : want,
			    strstr(msg.text, "(edited)") != NULL ?
			    "edited: " : "", msg.text);
			goto out;
		}
		if (ch->count == 0 && seq > 1) {
			/* A rotated journal goes on from an earlier one. */
			fprintf(stderr, "%s: note: starts at seq %lld; verify "
			    "it after the journal it continues\n", path, seq);
		} else if (seq != want) {
			seq_problem(path, lineno, ftello(f), want, seq);
			goto out;
		} else if ((e = record_check_line(line, len, ch->hash, &seq,
		    hash, &msg)) != 0) {
			fprintf(stderr, "%s:%lld: error: seq %lld: %s\n", path,
			    lineno, seq, msg.text);
			goto out;
		}
		ch->count++;
		ch->seq = seq;
		memcpy(ch->hash, hash, sizeof(hash));
	}
	/* getline() says -1 at the end as on a read error: errno tells. */
	if (errno != 0)
		fprintf(stderr, "hostgate: audit: %s: %s\n", path,
		    strerror(errno));
	else
		r = 0;
 out:
	free(line);
	fclose(f);
	return r;
}

int
cli_audit(int argc, char **argv)
{
	struct hg_conf conf;
	struct hg_msg msg = { "" };
	struct chain ch;
	const char *config = NULL, *cargv[1];
	char arg[PATH_MAX + 8], abs[PATH_MAX];
	int i, first, r = 0;

	if (argc < 2 || strcmp(argv[1], "verify") != 0) {
		usage();
		return EXIT_USAGE;
	}
	for (i = 2; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config = argv[i] + 9;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			usage();
			return EXIT_USAGE;
		}
	}
	first = i;
	memset(&ch, 0, sizeof(ch));
	memcpy(ch.hash, record_genesis, sizeof(ch.hash));
	if (first < argc) {
		for (i = first; i < argc && r == 0; i++)
			r = verify_file(argv[i], &ch);
	} else {
		if (config != NULL && config[0] != '/' &&
		    realpath(config, abs) != NULL)
			config = abs;
		if (config != NULL)
			snprintf(arg, sizeof(arg), "config=%s", config);
		cargv[0] = arg;
		if (conf_load(&conf, config != NULL, cargv, OWNER, &msg) != 0) {
			fprintf(stderr, "hostgate: audit: %s\n", msg.text);
			return 1;
		}
		r = verify_file(conf.audit_log, &ch);
		conf_free(&conf);
	}
	if (r == 0)
		printf("ok %lld records\n", ch.count);
	return r;
}
