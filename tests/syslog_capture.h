/*
 * tests/syslog_capture.c defines syslog() and friends in the program that
 * links it (with -rdynamic, so that libpam and the modules it loads call
 * them too): what the program logs goes to a file or a buffer the tests
 * read back, never to the system log.  Each call makes one line,
 * "[TAG]<PRIORITY> MESSAGE\n", appended with one write() to the file
 * $HG_SYSLOG (else to stderr), so that lines of concurrent writers never
 * interleave.  The message is kept as it is: a newline in it shows as a
 * second line, which is what the injection tests look for.
 */
#ifndef HG_SYSLOG_CAPTURE_H
#define HG_SYSLOG_CAPTURE_H

#include <stddef.h>

/*
 * Start every line with TAG (NULL: nothing), which must outlive the
 * logging.  hgpam uses "syslog: " so that its log lines stand apart from
 * its own output on stderr.
 */
void syslog_capture_tag(const char *tag);

/*
 * Append the lines to BUF (SIZE bytes, kept NUL-terminated; what does not
 * fit is dropped) instead of writing them, so that logging costs no I/O;
 * the caller empties BUF when it likes.  BUF NULL: write again.
 */
void syslog_capture_buffer(char *buf, size_t size);

#endif /* HG_SYSLOG_CAPTURE_H */
