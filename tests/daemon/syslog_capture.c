/*
 * Linked into hostgated-test only: syslog() and friends defined in the
 * program itself, so that everything hostgated logs is appended to the
 * file $HG_SYSLOG (else stderr), one "<PRIORITY> MESSAGE" line per call,
 * written with one write() so that lines never interleave.  The message is
 * written as it is: a newline in it would show as a second line, which is
 * what the injection test looks for.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

void openlog(const char *, int, int);
void closelog(void);
void syslog(int, const char *, ...);
void vsyslog(int, const char *, va_list);
void __syslog_chk(int, int, const char *, ...);
void __vsyslog_chk(int, int, const char *, va_list);

void
openlog(const char *ident, int option, int facility)
{
	(void)ident;
	(void)option;
	(void)facility;
}

void
closelog(void)
{
}

void
vsyslog(int prio, const char *fmt, va_list ap)
{
	const char *path = getenv("HG_SYSLOG");
	char buf[16384];
	int n, m, fd = 2;

	n = snprintf(buf, sizeof(buf), "<%d> ", prio);
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (path != NULL &&
	    (fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		fd = 2;
	(void)!write(fd, buf, (size_t)n);
	if (fd != 2)
		close(fd);
}

void
syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void
__syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void
__vsyslog_chk(int prio, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(prio, fmt, ap);
}
