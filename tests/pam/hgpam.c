/*
 * hgpam: drive one real PAM transaction through libpam with a service file
 * from a private directory (pam_start_confdir), so that tests and the demo
 * never touch /etc/pam.d.
 *
 *   hgpam [-c CONFDIR] [-r RHOST] [-t TTY] [-a ANSWER]... [-s] [-n]
 *         [-A | -K] SERVICE USER
 *
 * -A runs the account phase after a successful auth phase; -K runs the
 * account phase alone, as sshd does after a public-key login.  -S then
 * opens and closes a session, SECONDS apart.  -U sets PAM_USER to NAME
 * between the auth and the account phase, as a hostile stack could.
 *
 * Prompts and messages are printed as "prompt: ...", "info: ...",
 * "error: ..."; answers come from -a in order.  The result is printed as
 * "auth: PAM_..." (and "account: PAM_..." with -A); the exit status is 0
 * only when every phase returned PAM_SUCCESS.
 *
 * It is linked with tests/syslog_capture.c and -rdynamic, so what libpam
 * and the module log lands in $HG_SYSLOG (appended) or on stderr, prefixed
 * "syslog: ".  The fail delay the module asks for is printed as
 * "delay: USEC" instead of slept.
 *
 * It also interposes crypt_rn() and libsodium's argon2id functions to count
 * the slow hashes a transaction ran ("work: crypt=N pwhash=M"), so that tests
 * can show which inputs cost what without timing anything.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "syslog_capture.h"

#define MAX_ANSWERS 16

static const char *answers[MAX_ANSWERS];
static int nanswers, next_answer;

static int crypt_calls, pwhash_calls;

/*
 * The real function: the module and its libraries are loaded RTLD_LOCAL,
 * so RTLD_NEXT may not see them; ask the already loaded library then.
 */
static void *
real_sym(const char *lib, const char *name)
{
	void *h, *f;

	if ((f = dlsym(RTLD_NEXT, name)) != NULL)
		return f;
	if ((h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD)) == NULL)
		return NULL;
	f = dlsym(h, name);
	dlclose(h);
	return f;
}

char *crypt_rn(const char *, const char *, void *, int);
int crypto_pwhash(unsigned char *, unsigned long long, const char *,
    unsigned long long, const unsigned char *, unsigned long long, size_t,
    int);
int crypto_pwhash_str_verify(const char *, const char *, unsigned long long);
int crypto_pwhash_str_alg(char *, const char *, unsigned long long,
    unsigned long long, size_t, int);

char *
crypt_rn(const char *phrase, const char *setting, void *data, int size)
{
	char *(*real)(const char *, const char *, void *, int);

	crypt_calls++;
	*(void **)&real = real_sym("libcrypt.so.1", "crypt_rn");
	return real != NULL ? real(phrase, setting, data, size) : NULL;
}

int
crypto_pwhash(unsigned char *out, unsigned long long outlen, const char *pw,
    unsigned long long len, const unsigned char *salt,
    unsigned long long ops, size_t mem, int alg)
{
	int (*real)(unsigned char *, unsigned long long, const char *,
	    unsigned long long, const unsigned char *, unsigned long long,
	    size_t, int);

	pwhash_calls++;
	*(void **)&real = real_sym("libsodium.so.23", "crypto_pwhash");
	return real != NULL ?
	    real(out, outlen, pw, len, salt, ops, mem, alg) : -1;
}

int
crypto_pwhash_str_verify(const char *str, const char *pw,
    unsigned long long len)
{
	int (*real)(const char *, const char *, unsigned long long);

	pwhash_calls++;
	*(void **)&real = real_sym("libsodium.so.23",
	    "crypto_pwhash_str_verify");
	return real != NULL ? real(str, pw, len) : -1;
}

int
crypto_pwhash_str_alg(char *out, const char *pw, unsigned long long len,
    unsigned long long ops, size_t mem, int alg)
{
	int (*real)(char *, const char *, unsigned long long,
	    unsigned long long, size_t, int);

	pwhash_calls++;
	*(void **)&real = real_sym("libsodium.so.23",
	    "crypto_pwhash_str_alg");
	return real != NULL ? real(out, pw, len, ops, mem, alg) : -1;
}

static int
conv(int n, const struct pam_message **msgs, struct pam_response **resp,
    void *data)
{
	struct pam_response *r;
	int i;

	(void)data;
	if (n <= 0 || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_CONV_ERR;
	for (i = 0; i < n; i++) {
		switch (msgs[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			printf("prompt: %s\n", msgs[i]->msg);
			if (next_answer == nanswers) {
				printf("conv: no answer left\n");
				free(r);
				return PAM_CONV_ERR;
			}
			r[i].resp = strdup(answers[next_answer++]);
			break;
		case PAM_ERROR_MSG:
			printf("error: %s\n", msgs[i]->msg);
			break;
		case PAM_TEXT_INFO:
			printf("info: %s\n", msgs[i]->msg);
			break;
		default:
			free(r);
			return PAM_CONV_ERR;
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
}

static void
fail_delay(int status, unsigned delay, void *data)
{
	(void)data;
	if (status != PAM_SUCCESS)
		printf("delay: %u\n", delay);
}

static const char *
code_name(int r)
{
	static char other[32];

	switch (r) {
	case PAM_SUCCESS:		return "PAM_SUCCESS";
	case PAM_AUTH_ERR:		return "PAM_AUTH_ERR";
	case PAM_PERM_DENIED:		return "PAM_PERM_DENIED";
	case PAM_USER_UNKNOWN:		return "PAM_USER_UNKNOWN";
	case PAM_AUTHINFO_UNAVAIL:	return "PAM_AUTHINFO_UNAVAIL";
	case PAM_SERVICE_ERR:		return "PAM_SERVICE_ERR";
	case PAM_CONV_ERR:		return "PAM_CONV_ERR";
	case PAM_IGNORE:		return "PAM_IGNORE";
	case PAM_BUF_ERR:		return "PAM_BUF_ERR";
	case PAM_SYSTEM_ERR:		return "PAM_SYSTEM_ERR";
	case PAM_MAXTRIES:		return "PAM_MAXTRIES";
	case PAM_ACCT_EXPIRED:		return "PAM_ACCT_EXPIRED";
	case PAM_NEW_AUTHTOK_REQD:	return "PAM_NEW_AUTHTOK_REQD";
	case PAM_AUTHTOK_RECOVERY_ERR:	return "PAM_AUTHTOK_RECOVERY_ERR";
	case PAM_SESSION_ERR:		return "PAM_SESSION_ERR";
	}
	snprintf(other, sizeof(other), "PAM code %d", r);
	return other;
}

static void
usage(void)
{
	fprintf(stderr, "usage: hgpam [-c confdir] [-r rhost] [-t tty] "
	    "[-a answer]... [-s] [-n] [-A | -K] [-S seconds] [-U user] service "
	    "user\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	const char *confdir = NULL, *rhost = NULL, *tty = NULL, *newuser = NULL;
	pam_handle_t *pamh = NULL;
	int ch, flags = 0, account = 0, auth = 1, session = -1, r = 0, ok;

	syslog_capture_tag("syslog: ");
	while ((ch = getopt(argc, argv, "c:r:t:a:snAKS:U:")) != -1) {
		switch (ch) {
		case 'c': confdir = optarg; break;
		case 'r': rhost = optarg; break;
		case 't': tty = optarg; break;
		case 'a':
			if (nanswers == MAX_ANSWERS)
				usage();
			answers[nanswers++] = optarg;
			break;
		case 's': flags |= PAM_SILENT; break;
		case 'n': flags |= PAM_DISALLOW_NULL_AUTHTOK; break;
		case 'A': account = 1; break;
		case 'K': account = 1; auth = 0; break;
		case 'S': session = atoi(optarg); break;
		case 'U': newuser = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	r = pam_start_confdir(argv[optind], argv[optind + 1], &pc, confdir,
	    &pamh);
	if (r != PAM_SUCCESS) {
		printf("start: %s\n", code_name(r));
		return 1;
	}
	if ((rhost != NULL && pam_set_item(pamh, PAM_RHOST, rhost) !=
	    PAM_SUCCESS) || (tty != NULL && pam_set_item(pamh, PAM_TTY, tty) !=
	    PAM_SUCCESS) || pam_set_item(pamh, PAM_FAIL_DELAY,
	    (const void *)fail_delay) != PAM_SUCCESS) {
		printf("start: cannot set items\n");
		return 1;
	}
	ok = 1;
	if (auth) {
		r = pam_authenticate(pamh, flags);
		printf("auth: %s\n", code_name(r));
		ok = r == PAM_SUCCESS;
	}
	if (ok && account && newuser != NULL &&
	    pam_set_item(pamh, PAM_USER, newuser) != PAM_SUCCESS) {
		printf("account: cannot set PAM_USER\n");
		ok = 0;
	}
	if (ok && account) {
		r = pam_acct_mgmt(pamh, flags);
		printf("account: %s\n", code_name(r));
		ok = r == PAM_SUCCESS;
	}
	if (ok && session >= 0) {
		r = pam_open_session(pamh, flags);
		printf("open_session: %s\n", code_name(r));
		ok = r == PAM_SUCCESS;
		if (ok) {
			sleep((unsigned)session);
			r = pam_close_session(pamh, flags);
			printf("close_session: %s\n", code_name(r));
			ok = r == PAM_SUCCESS;
		}
	}
	pam_end(pamh, r);
	printf("work: crypt=%d pwhash=%d\n", crypt_calls, pwhash_calls);
	return ok ? 0 : 1;
}
