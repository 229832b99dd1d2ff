/*
 * nssfold.so, for LD_PRELOAD in tests: getpwnam_r() as a case-insensitive
 * NSS source (SSSD, LDAP) answers.  A name the system does not know is
 * looked up again in lower case, and the entry keeps its own (canonical)
 * name, so "ALICE" finds alice and says "alice".
 */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <string.h>

int getpwnam_r(const char *, struct passwd *, char *, size_t,
    struct passwd **);

int
getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size,
    struct passwd **res)
{
	int (*real)(const char *, struct passwd *, char *, size_t,
	    struct passwd **);
	char lower[256];
	size_t i;
	int r;

	*(void **)&real = dlsym(RTLD_NEXT, "getpwnam_r");
	if (real == NULL)
		return ENOSYS;
	r = real(name, pw, buf, size, res);
	if (r != 0 || *res != NULL || strlen(name) >= sizeof(lower))
		return r;
	for (i = 0; name[i] != '\0'; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	return real(lower, pw, buf, size, res);
}
