/*
 * Load the built module as libpam would (RTLD_NOW: every symbol resolved)
 * and check that it exports the PAM entry points and nothing of its
 * internals.  Usage: tst-dlopen MODULE.so
 */
#include <dlfcn.h>
#include <stdio.h>

static const char *const wanted[] = {
	"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt",
	"pam_sm_open_session", "pam_sm_close_session", "pam_sm_chauthtok",
};
static const char *const hidden[] = {
	"conf_load", "totp_verify", "state_lock", "trust_read", "hg_strerror",
	"secure_unseal", "record_quote",
};

int
main(int argc, char **argv)
{
	void *h;
	size_t i;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tst-dlopen module.so\n");
		return 2;
	}
	if ((h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		printf("FAIL dlopen: %s\n", dlerror());
		return 1;
	}
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (dlsym(h, wanted[i]) == NULL) {
			printf("FAIL missing export %s\n", wanted[i]);
			bad = 1;
		}
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (dlsym(h, hidden[i]) != NULL) {
			printf("FAIL internal symbol exported: %s\n",
			    hidden[i]);
			bad = 1;
		}
	dlclose(h);
	if (!bad)
		printf("ok: exports only pam_sm_*\n");
	return bad;
}
