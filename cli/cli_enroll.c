/*
 * "hostgate enroll USER": make a TOTP seed, show it once to the
 * administrator (otpauth:// URI, QR code, recovery codes), confirm it with
 * a first code from the authenticator app, and write the seed file.
 *
 * Nothing is written until the code is confirmed (or --no-confirm): not
 * the seed, not the seed key, and a PNG file is removed again on failure.
 * The seed is sealed under seed.key, which is created on first use: an
 * enrolled seed is never left in plain text (imports may be; see "seal").
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <liboath/oath.h>
#include <png.h>
#include <qrencode.h>
#include <sodium.h>

#include "cli.h"
#include "cli_util.h"
#include "state.h"
#include "totp.h"
#include "trust.h"

#define CMD		"enroll"
#define USAGE		"hostgate enroll USER [--digits 6|8] " \
	"[--algorithm sha1|sha256|sha512] [--period N] [--issuer NAME] " \
	"[--recovery N] [--force] [--no-confirm] " \
	"[--qr ansi|utf8|none|png:FILE] [--config FILE]"
#define DEFAULT_RECOVERY	5
#define CONFIRM_TRIES		3
#define ISSUER_MAX		100
#define QR_MARGIN		4	/* the quiet zone the standard asks */
#define PNG_SCALE		8	/* pixels per module */

enum qr_kind { QR_AUTO, QR_ANSI, QR_UTF8, QR_NONE, QR_PNG };

struct enroll {
	const char	*user;		/* canonical, once known */
	char		 name[TRUST_NAME_MAX + 1];
	const char	*config;
	const char	*issuer;
	const char	*png_path;
	enum qr_kind	 qr;
	unsigned	 digits;
	unsigned	 period;
	unsigned	 nrecovery;
	enum totp_alg	 alg;
	bool		 force;
	bool		 confirm;
	bool		 png_written;
	char		 host[256];
	struct hg_conf	 conf;
	bool		 have_conf;
	unsigned char	 secret[TOTP_MAX_SECRET];
	size_t		 secret_len;
	unsigned char	 key[SECURE_KEY_BYTES];
	char		*b32;		/* the secret in base32, unpadded */
	char		*uri;
	char		 codes[TOTP_MAX_RECOVERY][TOTP_RECOVERY_LEN + 1];
	char		*hashes[TOTP_MAX_RECOVERY];
	long long	 step;		/* of the confirming code, or -1 */
};

static int
parse_qr(struct enroll *e, const char *v)
{
	if (strcmp(v, "ansi") == 0)
		e->qr = QR_ANSI;
	else if (strcmp(v, "utf8") == 0)
		e->qr = QR_UTF8;
	else if (strcmp(v, "none") == 0)
		e->qr = QR_NONE;
	else if (strncmp(v, "png:", 4) == 0 && v[4] != '\0') {
		e->qr = QR_PNG;
		e->png_path = v + 4;
	} else
		return -1;
	return 0;
}

/* Returns -1 to go on, else the exit status. */
static int
parse_args(struct enroll *e, int argc, char **argv)
{
	const char *v;
	int i, o;

	for (i = 1; i < argc; i++) {
		if (cli_util_is_help(argv[i])) {
			cli_util_usage(stdout, USAGE);
			return CLI_EXIT_OK;
		}
		if ((o = cli_util_opt(argc, argv, &i, "--config",
		    &e->config)) != 0) {
			if (o < 0)
				goto missing;
		} else if ((o = cli_util_opt(argc, argv, &i, "--digits",
		    &v)) != 0) {
			if (o < 0)
				goto missing;
			if (strcmp(v, "6") != 0 && strcmp(v, "8") != 0) {
				cli_util_error(CMD, "--digits must be 6 or 8");
				return CLI_EXIT_USAGE;
			}
			e->digits = (unsigned)(v[0] - '0');
		} else if ((o = cli_util_opt(argc, argv, &i, "--algorithm",
		    &v)) != 0) {
			if (o < 0)
				goto missing;
			if (cli_util_parse_alg(v, &e->alg) != 0) {
				cli_util_error(CMD, "--algorithm must be sha1, "
				    "sha256 or sha512");
				return CLI_EXIT_USAGE;
			}
		} else if ((o = cli_util_opt(argc, argv, &i, "--period",
		    &v)) != 0) {
			if (o < 0)
				goto missing;
			if (conf_parse_uint(v, CONF_UINT_DIGITS_MAX, 1, 3600,
			    &e->period) != 0) {
				cli_util_error(CMD, "--period must be 1 to "
				    "3600 seconds");
				return CLI_EXIT_USAGE;
			}
		} else if ((o = cli_util_opt(argc, argv, &i, "--issuer",
		    &e->issuer)) != 0) {
			if (o < 0)
				goto missing;
		} else if ((o = cli_util_opt(argc, argv, &i, "--recovery",
		    &v)) != 0) {
			if (o < 0)
				goto missing;
			if (conf_parse_uint(v, CONF_UINT_DIGITS_MAX, 0,
			    TOTP_MAX_RECOVERY, &e->nrecovery) != 0) {
				cli_util_error(CMD, "--recovery must be 0 to "
				    "%d", TOTP_MAX_RECOVERY);
				return CLI_EXIT_USAGE;
			}
		} else if ((o = cli_util_opt(argc, argv, &i, "--qr",
		    &v)) != 0) {
			if (o < 0)
				goto missing;
			if (parse_qr(e, v) != 0) {
				cli_util_error(CMD, "--qr must be ansi, utf8, "
				    "none or png:FILE");
				return CLI_EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "--force") == 0)
			e->force = true;
		else if (strcmp(argv[i], "--no-confirm") == 0)
			e->confirm = false;
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_util_error(CMD, "unknown option '%s'", argv[i]);
			cli_util_usage(stderr, USAGE);
			return CLI_EXIT_USAGE;
		} else if (e->user != NULL) {
			cli_util_error(CMD, "one user at a time");
			cli_util_usage(stderr, USAGE);
			return CLI_EXIT_USAGE;
		} else
			e->user = argv[i];
	}
	if (e->user == NULL) {
		cli_util_usage(stderr, USAGE);
		return CLI_EXIT_USAGE;
	}
	return -1;
 missing:
	cli_util_error(CMD, "%s needs a value", argv[i]);
	cli_util_usage(stderr, USAGE);
	return CLI_EXIT_USAGE;
}

/*
 * 1 to ISSUER_MAX bytes, no control characters and no ':' (the label's
 * separator, which the Key URI format forbids in an issuer).  Bytes from
 * 0x80 up pass: UTF-8, percent-encoded in the URI.
 */
static int
check_issuer(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= ISSUER_MAX || (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] == 0x7f || s[i] == ':')
			return -1;
	return i > 0 ? 0 : -1;
}

/* Append S percent-encoded (all but RFC 3986 unreserved) at *P. */
static void
pct_append(char **p, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			*(*p)++ = (char)c;
		else {
			*(*p)++ = '%';
			*(*p)++ = hex[c >> 4];
			*(*p)++ = hex[c & 0xf];
		}
	}
	**p = '\0';
}

static int
make_uri(struct enroll *e)
{
	static const char *const algs[] = { "SHA1", "SHA256", "SHA512" };
	char *b32 = NULL, *eq, *p;
	size_t len = 0, size;

	if (oath_base32_encode((const char *)e->secret, e->secret_len, &b32,
	    &len) != OATH_OK)
		return HG_ERR_NOMEM;
	if ((eq = strchr(b32, '=')) != NULL)
		*eq = '\0';
	e->b32 = b32;
	size = 128 + strlen(b32) + 6 * strlen(e->issuer) + 3 * strlen(e->user);
	if ((e->uri = malloc(size)) == NULL)
		return HG_ERR_NOMEM;
	p = e->uri;
	p += sprintf(p, "otpauth://totp/");
	pct_append(&p, e->issuer);
	*p++ = ':';
	pct_append(&p, e->user);
	p += sprintf(p, "?secret=%s&issuer=", b32);
	pct_append(&p, e->issuer);
	sprintf(p, "&algorithm=%s&digits=%u&period=%u", algs[e->alg],
	    e->digits, e->period);
	return 0;
}

static bool
dark(const QRcode *qr, int x, int y)
{
	x -= QR_MARGIN;
	y -= QR_MARGIN;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return false;
	return (qr->data[y * qr->width + x] & 1) != 0;
}

/*
 * Draw QR on F as text.  Both forms set black on white themselves, so
 * that the code scans on dark and light terminals alike.  UTF8 puts two
 * module rows in one line with half blocks; ANSI paints each module as
 * two blank cells in a background colour.
 */
static void
qr_text(const QRcode *qr, bool utf8, FILE *f)
{
	int side = qr->width + 2 * QR_MARGIN, x, y, cur;

	if (utf8) {
		for (y = 0; y < side; y += 2) {
			fputs("\033[30;47m", f);
			for (x = 0; x < side; x++) {
				bool top = dark(qr, x, y);
				bool bot = y + 1 < side && dark(qr, x, y + 1);

				fputs(top && bot ? "\xe2\x96\x88" : top ?
				    "\xe2\x96\x80" : bot ? "\xe2\x96\x84" : " ",
				    f);
			}
			fputs("\033[0m\n", f);
		}
		return;
	}
	for (y = 0; y < side; y++) {
		for (x = 0, cur = -1; x < side; x++) {
			int d = dark(qr, x, y);

			if (d != cur)
				fputs(d ? "\033[40m" : "\033[47m", f);
			cur = d;
			fputs("  ", f);
		}
		fputs("\033[0m\n", f);
	}
}

/* The libpng part of qr_png(): 0, or -1 when libpng failed. */
static int
qr_png_rows(png_structp png, png_infop info, FILE *f, const QRcode *qr,
    unsigned char *row, size_t side)
{
	size_t x, y;

	if (setjmp(png_jmpbuf(png)) != 0)
		return -1;
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 8,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < side; y++) {
		for (x = 0; x < side; x++)
			row[x] = dark(qr, (int)(x / PNG_SCALE),
			    (int)(y / PNG_SCALE)) ? 0 : 255;
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	return 0;
}

/*
 * Write QR to the new file PATH as a grayscale PNG (root 0600: it holds the
 * secret).  An existing file is not overwritten.  0, or -1 after a message.
 */
static int
qr_png(const QRcode *qr, const char *path)
{
	png_structp png = NULL;
	png_infop info = NULL;
	FILE *f = NULL;
	unsigned char *row = NULL;
	size_t side = (size_t)(qr->width + 2 * QR_MARGIN) * PNG_SCALE;
	int fd, r = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		cli_util_error(CMD, "%s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (not overwritten)" : "");
		return -1;
	}
	if ((f = fdopen(fd, "wb")) == NULL) {
		cli_util_error(CMD, "%s: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if ((row = malloc(side)) == NULL ||
	    (png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL,
	    NULL)) == NULL || (info = png_create_info_struct(png)) == NULL) {
		cli_util_error(CMD, "%s: out of memory", path);
		goto out;
	}
	if (qr_png_rows(png, info, f, qr, row, side) != 0) {
		cli_util_error(CMD, "%s: cannot write the PNG", path);
		goto out;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		cli_util_error(CMD, "%s: %s", path, strerror(errno));
		goto out;
	}
	r = 0;
 out:
	if (png != NULL)
		png_destroy_write_struct(&png, info != NULL ? &info : NULL);
	cli_util_free_secret(row, side);
	if (f != NULL && fclose(f) != 0 && r == 0) {
		cli_util_error(CMD, "%s: %s", path, strerror(errno));
		r = -1;
	}
	if (r != 0)
		unlink(path);
	return r;
}

/* Show the URI as a QR code, as asked.  0, or -1 after a message. */
static int
show_qr(struct enroll *e)
{
	QRcode *qr;
	const char *cs;
	int r = 0;

	if (e->qr == QR_NONE)
		return 0;
	qr = QRcode_encodeData((int)strlen(e->uri),
	    (const unsigned char *)e->uri, 0, QR_ECLEVEL_M);
	if (qr == NULL) {
		cli_util_error(CMD, "cannot make a QR code: %s",
		    strerror(errno));
		return -1;
	}
	if (e->qr == QR_AUTO) {
		cs = setlocale(LC_CTYPE, "") != NULL ? nl_langinfo(CODESET) :
		    "";
		e->qr = strcmp(cs, "UTF-8") == 0 ? QR_UTF8 : QR_ANSI;
	}
	if (e->qr == QR_PNG) {
		if ((r = qr_png(qr, e->png_path)) == 0) {
			e->png_written = true;
			printf("QR code written to %s (root 0600; it holds the "
			    "secret: delete it once scanned).\n", e->png_path);
		}
	} else {
		putchar('\n');
		qr_text(qr, e->qr == QR_UTF8, stdout);
		putchar('\n');
	}
	sodium_memzero(qr->data, (size_t)qr->width * (size_t)qr->width);
	QRcode_free(qr);
	return r;
}

/* The key in groups of four, for typing it into an app by hand. */
static void
print_key(const char *b32)
{
	size_t i;

	printf("Key: ");
	for (i = 0; b32[i] != '\0'; i++)
		printf("%s%c", i > 0 && i % 4 == 0 ? " " : "", b32[i]);
	putchar('\n');
}

/*
 * Ask on the terminal for the code the app shows.  0 (e->step set), or -1
 * after a message.
 */
static int
confirm(struct enroll *e)
{
	struct hg_seed seed;
	char line[128], code[TOTP_MAX_CODE + 1];
	FILE *tty;
	size_t n;
	int tries, r = -1;

	fflush(stdout);
	if ((tty = fopen("/dev/tty", "r+e")) == NULL) {
		cli_util_error(CMD, "no terminal to ask for the first code on "
		    "(/dev/tty: %s); run it on a terminal, or use "
		    "--no-confirm; nothing written", strerror(errno));
		return -1;
	}
	memset(&seed, 0, sizeof(seed));
	memcpy(seed.secret, e->secret, e->secret_len);
	seed.secret_len = e->secret_len;
	seed.digits = e->digits;
	seed.period = e->period;
	seed.algorithm = e->alg;
	for (tries = CONFIRM_TRIES; tries > 0; tries--) {
		fprintf(tty, "Code from the app (%u digits): ", e->digits);
		fflush(tty);
		if (fgets(line, sizeof(line), tty) == NULL) {
			fputc('\n', tty);
			cli_util_error(CMD, "no code given; nothing written");
			goto out;
		}
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (totp_normalize(line, code) == 0 &&
		    totp_verify(&seed, code, time(NULL), 1, &e->step) == 0) {
			fprintf(tty, "The code matches.\n");
			r = 0;
			goto out;
		}
		if (tries > 1)
			fprintf(tty, "That is not the current code for this "
			    "seed (check the app's entry and the phone's "
			    "clock); %d %s left.\n", tries - 1,
			    tries - 1 == 1 ? "try" : "tries");
	}
	cli_util_error(CMD, "no matching code after %d tries; nothing "
	    "written", CONFIRM_TRIES);
 out:
	fflush(tty);
	fclose(tty);
	sodium_memzero(line, sizeof(line));
	sodium_memzero(code, sizeof(code));
	sodium_memzero(&seed, sizeof(seed));
	return r;
}

/*
 * Mark the confirming code's time step as used, so that the code typed at
 * the terminal cannot be replayed for a login.  The user's lock is taken
 * and released here; the seed is written after this, so a failure in
 * between leaves only a harmless mark.
 */
static int
spend_step(struct enroll *e)
{
	struct hg_state st;
	struct hg_msg msg;
	int fd = -1, r;

	if (e->step < 0)
		return 0;
	msg.text[0] = '\0';
	if ((r = state_lock(e->conf.state_dir, e->user, 0, &fd, &msg)) != 0 ||
	    (r = state_load(e->conf.state_dir, e->user, 0, &st, &msg)) != 0)
		goto out;
	if (e->step > st.last_step) {
		st.last_step = e->step;
		r = state_save(e->conf.state_dir, e->user, &st, &msg);
	}
 out:
	state_unlock(fd);
	if (r != 0)
		cli_util_error(CMD, "%s; nothing written", msg.text);
	return r;
}

static int
write_seed(struct enroll *e, bool *created)
{
	struct cli_util_seed s;
	struct hg_msg msg;
	char *text = NULL, origin[64];
	size_t len = 0;
	bool have;
	int r;

	if (cli_util_key(CMD, e->conf.seed_key, true, e->key, &have,
	    created) != 0)
		return -1;
	snprintf(origin, sizeof(origin), "hostgate enroll, %s",
	    e->step >= 0 ? "confirmed" : "not confirmed");
	memset(&s, 0, sizeof(s));
	s.secret = e->secret;
	s.secret_len = e->secret_len;
	s.digits = e->digits;
	s.period = e->period;
	s.algorithm = e->alg;
	s.recovery = e->hashes;
	s.nrecovery = e->nrecovery;
	s.origin = origin;
	if ((r = cli_util_seed_text(e->user, &s, e->key, &text, &len)) != 0) {
		cli_util_error(CMD, "cannot make the seed file: %s",
		    hg_strerror(r));
		return -1;
	}
	msg.text[0] = '\0';
	r = cli_util_seed_write(&e->conf, e->user, text, len, e->force, &msg);
	cli_util_free_secret(text, len);
	if (r != 0) {
		cli_util_error(CMD, "%s%s; nothing written", msg.text,
		    r == HG_ERR_INVALID ? " (use --force to replace it)" : "");
		return -1;
	}
	return 0;
}

static void
print_recovery(const struct enroll *e)
{
	unsigned i;

	if (e->nrecovery == 0) {
		printf("No recovery codes (--recovery 0).\n");
		return;
	}
	printf("\nRecovery codes for %s: each works once in place of a "
	    "verification code.\nThey are shown only now; store them "
	    "somewhere safe.\n\n", e->user);
	for (i = 0; i < e->nrecovery; i++)
		printf("  %.5s-%s\n", e->codes[i], e->codes[i] + 5);
	putchar('\n');
}

/*
 * A directory the seed will go to: trusted if it exists; if it does not,
 * it is made when the seed is written.  0, or -1 after a message.
 */
static int
dir_usable(const char *path)
{
	struct hg_msg msg;
	int r;

	msg.text[0] = '\0';
	if ((r = trust_check_dir(path, 0, TRUST_SECRET, &msg)) == 0 ||
	    r == HG_ERR_NOENT)
		return 0;
	cli_util_error(CMD, "%s", msg.text);
	return -1;
}

static void
enroll_free(struct enroll *e)
{
	unsigned i;

	for (i = 0; i < TOTP_MAX_RECOVERY; i++)
		free(e->hashes[i]);
	secure_strfree(e->b32);
	secure_strfree(e->uri);
	if (e->have_conf)
		conf_free(&e->conf);
	sodium_memzero(e, sizeof(*e));
}

/*
 * "hostgate enroll USER [options]": see cli.h.
 */
int
cli_enroll(int argc, char **argv)
{
	struct enroll *e;
	bool have, created = false;
	int r, ret = CLI_EXIT_FAIL;

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		cli_util_error(CMD, "out of memory");
		return CLI_EXIT_FAIL;
	}
	e->digits = 6;
	e->period = 30;
	e->alg = TOTP_SHA1;
	e->nrecovery = DEFAULT_RECOVERY;
	e->confirm = true;
	e->qr = QR_AUTO;
	e->step = -1;
	if ((r = parse_args(e, argc, argv)) >= 0) {
		ret = r;
		goto out;
	}
	if (e->issuer == NULL) {
		if (gethostname(e->host, sizeof(e->host)) != 0 ||
		    e->host[0] == '\0')
			snprintf(e->host, sizeof(e->host), "hostgate");
		e->host[sizeof(e->host) - 1] = '\0';
		e->issuer = e->host;
	}
	if (check_issuer(e->issuer) != 0) {
		cli_util_error(CMD, "--issuer: 1 to %d bytes, no control "
		    "characters, no ':'", ISSUER_MAX);
		ret = CLI_EXIT_USAGE;
		goto out;
	}
	if (cli_util_need_root(CMD, "it writes root-owned seed files") != 0 ||
	    cli_util_init(CMD) != 0 ||
	    cli_util_user_known(CMD, e->user, e->name) != 0)
		goto out;
	e->user = e->name;
	if (cli_util_conf(CMD, e->config, &e->conf) != 0)
		goto out;
	e->have_conf = true;
	if (dir_usable(e->conf.secrets_dir) != 0 ||
	    dir_usable(e->conf.state_dir) != 0)
		goto out;
	/* Before a secret is shown: would it be written at all? */
	if (cli_util_seed_may_write(CMD, &e->conf, e->user, e->force,
	    " (its codes and recovery codes stop working)") != 0)
		goto out;
	/* An untrusted or broken key fails now; a missing one is made later. */
	if (cli_util_key(CMD, e->conf.seed_key, false, e->key, &have,
	    &created) != 0)
		goto out;
	sodium_memzero(e->key, sizeof(e->key));

	e->secret_len = cli_util_secret_len(e->alg);
	randombytes_buf(e->secret, e->secret_len);
	if (make_uri(e) != 0 || cli_util_recovery_hashes(CMD, e->codes,
	    e->nrecovery, true, e->hashes) != 0) {
		cli_util_error(CMD, "out of memory");
		goto out;
	}
	printf("Enrolling %s: TOTP, %s, %u digits, %u s period, issuer "
	    "\"%s\".\nAdd the account to the authenticator app: scan the QR "
	    "code, open the URI,\nor type the key.\n\n%s\n", e->user,
	    e->alg == TOTP_SHA1 ? "SHA1" : e->alg == TOTP_SHA256 ? "SHA256" :
	    "SHA512", e->digits, e->period, e->issuer, e->uri);
	print_key(e->b32);
	if (show_qr(e) != 0)
		goto out;
	if (e->confirm && confirm(e) != 0)
		goto out;
	if (cli_util_dir(CMD, e->conf.secrets_dir, true) != 0 ||
	    cli_util_dir(CMD, e->conf.state_dir, true) != 0)
		goto out;
	if (e->confirm) {
		if (spend_step(e) != 0)
			goto out;
	} else if (e->digits != 6 || e->period != 30 || e->alg != TOTP_SHA1)
		cli_util_warn(CMD, "some authenticator apps ignore digits, "
		    "period or algorithm: check that the app's codes log in "
		    "(a confirmed enroll checks that)");
	if (write_seed(e, &created) != 0)
		goto out;
	printf("Seed written to %s/%s (root 0600, sealed with %s).\n",
	    e->conf.secrets_dir, e->user, e->conf.seed_key);
	if (created)
		printf("Created the seed key %s (root 0400): back it up "
		    "with the seeds; sealed seeds cannot be opened without "
		    "it.\n", e->conf.seed_key);
	print_recovery(e);
	ret = CLI_EXIT_OK;
 out:
	if (ret != CLI_EXIT_OK && e->png_written)
		unlink(e->png_path);
	enroll_free(e);
	free(e);
	return ret;
}
