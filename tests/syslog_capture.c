/*
 * syslog() and friends for the test and benchmark programs: see
 * syslog_capture.h.  Linked into tests/daemon/hostgated-test,
 * tests/pam/hgpam and bench/policy.
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "syslog_capture.h"

void openlog(const char *, int, int);
void closelog(void);
void syslog(int, const char *, ...);
void vsyslog(int, const char *, va_list);
void __syslog_chk(int, int, const char *, ...);
void __vsyslog_chk(int, int, const char *, va_list);

static const char *capture_tag = "";
static char *capture_buf;
static size_t capture_size;

void
syslog_capture_tag(const char *tag)
{
	capture_tag = tag != NULL ? tag : "";
}

void
syslog_capture_buffer(char *buf, size_t size)
{
	capture_buf = size > 0 ? buf : NULL;
	capture_size = size;
}

/* Append LEN bytes of LINE to the caller's buffer, as much as fits. */
static void
capture_append(const char *line, size_t len)
{
	size_t used = strlen(capture_buf);

	if (len > capture_size - used - 1)
		len = capture_size - used - 1;
	memcpy(capture_buf + used, line, len);
	capture_buf[used + len] = '\0';
}

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

	n = snprintf(buf, sizeof(buf), "%s<%d> ", capture_tag, prio);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2)
		return;
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (capture_buf != NULL) {
		capture_append(buf, (size_t)n);
		return;
	}
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
