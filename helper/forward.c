/* HTTPS forwarding of the audit journal, in its own thread (forward.h). */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "forward.h"
#include "hostgated.h"
#include "record.h"
#include "trust.h"

#define BATCH_MAX_RECORDS	500
#define BATCH_MAX_BYTES		(512 * 1024)
#define BACKOFF_MIN_MS		500
#define BACKOFF_MAX_MS		60000
#define POLL_MS			1000
#define TOKEN_MAX		4096

struct forward {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	bool		 stop;
	bool		 pending;	/* notified since the last look */
	char		*url;
	char		*ca;
	char		*journal;
	char		 cursor_path[PATH_MAX];
	char		*auth_header;	/* "Authorization: Bearer ..." */
	long long	 cursor;	/* last delivered seq */
	int		 fd;		/* the journal being read */
	ino_t		 ino;
	char		*batch;		/* "[line,line]" being built */
	size_t		 blen;
	long long	 batch_last;	/* seq of the batch's last record */
	char		 carry[RECORD_LINE_MAX + 1];	/* a partial line */
	size_t		 clen;
	bool		 skip;		/* inside an overlong line */
};

static long long
cursor_load(const char *path)
{
	char *text = NULL;
	size_t len;
	long long seq = 0;

	if (trust_read(path, TRUST_PUBLIC, geteuid(), 64, &text, &len,
	    NULL) == 0) {
		if (sscanf(text, "seq = %lld", &seq) != 1 || seq < 0) {
			log_f(LOG_WARNING, "%s: unreadable, forwarding from "
			    "the start of the journal", path);
			seq = 0;
		}
	}
	free(text);
	return seq;
}

bool
forward_cursor_ok(const char *text, size_t len)
{
	long long seq;
	int n = 0;

	return len > 6 && memchr(text, '\0', len) == NULL &&
	    strncmp(text, "seq = ", 6) == 0 && text[6] >= '0' &&
	    text[6] <= '9' && sscanf(text + 6, "%lld%n", &seq, &n) == 1 &&
	    (size_t)n + 7 == len && text[6 + n] == '\n';
}

static void
cursor_save(struct forward *fw)
{
	struct hg_msg msg;
	char buf[64];
	int n;

	n = snprintf(buf, sizeof(buf), "seq = %lld\n", fw->cursor);
	if (trust_replace(fw->cursor_path, buf, (size_t)n, 0600, &msg) != 0)
		log_f(LOG_ERR, "%s", msg.text);
}

/* The seq a journal line starts with, or -1. */
static long long
line_seq(const char *line)
{
	char *end;
	long long seq;

	if (strncmp(line, "{\"seq\":", 7) != 0)
		return -1;
	seq = strtoll(line + 7, &end, 10);
	return end != line + 7 && *end == ',' ? seq : -1;
}

/* Open the journal afresh (start, or after rotation). */
static void
tail_open(struct forward *fw)
{
	struct stat st;

	if (fw->fd != -1)
		close(fw->fd);
	fw->clen = 0;
	fw->skip = false;
	fw->fd = open(fw->journal, O_RDONLY | O_CLOEXEC);
	if (fw->fd != -1 && fstat(fw->fd, &st) == 0)
		fw->ino = st.st_ino;
}

/*
 * Has the journal been rotated, and has the new one begun?  Once hostgated
 * writes to the new file it no longer writes to the old one, so the old
 * file's end is final.
 */
static bool
tail_rotated(struct forward *fw)
{
	struct stat st;

	return stat(fw->journal, &st) == 0 && st.st_ino != fw->ino &&
	    st.st_size > 0;
}

static bool
batch_full(const struct forward *fw, size_t count)
{
	return count >= BATCH_MAX_RECORDS ||
	    fw->blen + RECORD_LINE_MAX + 2 >= BATCH_MAX_BYTES;
}

/* Take one complete line (in fw->carry) into the batch if it is new. */
static void
take_line(struct forward *fw, size_t *count)
{
	long long seq = line_seq(fw->carry);

	if (seq <= fw->cursor || seq <= fw->batch_last)
		return;		/* delivered already, or not a record */
	fw->batch[fw->blen++] = fw->batch_last < 0 ? '[' : ',';
	memcpy(fw->batch + fw->blen, fw->carry, fw->clen);
	fw->blen += fw->clen;
	fw->batch_last = seq;
	(*count)++;
}

/*
 * Fill the batch with whole records after the cursor.  A partial last line
 * waits in fw->carry for its end; reading stops at a full batch and seeks
 * back to the first line not taken.
 */
static void
batch_fill(struct forward *fw)
{
	char buf[65536];
	size_t n, i, start, count = 0;
	ssize_t r;

	if (fw->fd == -1)
		tail_open(fw);
	while (fw->fd != -1 && !batch_full(fw, count)) {
		r = read(fw->fd, buf, sizeof(buf));
		if (r == 0 && tail_rotated(fw)) {
			/* Read what the old file got before the switch. */
			if (read(fw->fd, buf, 1) == 0) {
				tail_open(fw);
				continue;
			}
			lseek(fw->fd, -1, SEEK_CUR);
			continue;
		}
		if (r <= 0)
			break;
		n = (size_t)r;
		for (start = 0, i = 0; i < n && !batch_full(fw, count); i++) {
			if (buf[i] != '\n')
				continue;
			if (!fw->skip &&
			    fw->clen + (i - start) <= RECORD_LINE_MAX) {
				memcpy(fw->carry + fw->clen, buf + start,
				    i - start);
				fw->clen += i - start;
				fw->carry[fw->clen] = '\0';
				take_line(fw, &count);
			}
			fw->clen = 0;
			fw->skip = false;
			start = i + 1;
		}
		if (batch_full(fw, count)) {
			lseek(fw->fd, -(off_t)(n - start), SEEK_CUR);
			break;
		}
		/* Keep the unfinished line; one too long is skipped whole. */
		if (fw->skip || fw->clen + (n - start) > RECORD_LINE_MAX) {
			fw->skip = true;
			fw->clen = 0;
		} else {
			memcpy(fw->carry + fw->clen, buf + start, n - start);
			fw->clen += n - start;
		}
	}
}

/* POST the batch; true on a 2xx answer. */
static bool
batch_post(struct forward *fw, CURL *curl)
{
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;
	bool ok;

	fw->batch[fw->blen] = ']';
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	if (fw->auth_header != NULL)
		hdrs = curl_slist_append(hdrs, fw->auth_header);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, fw->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, fw->batch);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)fw->blen + 1);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (fw->ca != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, fw->ca);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	ok = rc == CURLE_OK && status >= 200 && status < 300;
	if (!ok)
		log_f(LOG_WARNING, "delivery up to seq %lld failed: %s",
		    fw->batch_last, rc != CURLE_OK ? (errbuf[0] ? errbuf :
		    curl_easy_strerror(rc)) : "HTTP error status");
	if (!ok && rc == CURLE_OK)
		log_f(LOG_WARNING, "collector answered HTTP %ld", status);
	curl_slist_free_all(hdrs);
	/* The request copied nothing secret into the batch; keep it. */
	return ok;
}

/* Sleep up to MS, waking early on stop or (if EARLY) on a notification. */
static void
nap(struct forward *fw, long ms, bool early)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&fw->lock);
	while (!fw->stop && !(early && fw->pending))
		if (pthread_cond_timedwait(&fw->wake, &fw->lock, &ts) != 0)
			break;
	fw->pending = false;
	pthread_mutex_unlock(&fw->lock);
}

static bool
stopping(struct forward *fw)
{
	bool s;

	pthread_mutex_lock(&fw->lock);
	s = fw->stop;
	pthread_mutex_unlock(&fw->lock);
	return s;
}

static void *
forward_main(void *arg)
{
	struct forward *fw = arg;
	long backoff = 0, wait;
	CURL *curl;

	if ((curl = curl_easy_init()) == NULL) {
		log_f(LOG_ERR, "cannot initialise libcurl; not forwarding");
		return NULL;
	}
	while (!stopping(fw)) {
		if (fw->batch_last < 0)
			batch_fill(fw);
		if (fw->batch_last < 0) {
			nap(fw, POLL_MS, true);
			continue;
		}
		if (batch_post(fw, curl)) {
			fw->cursor = fw->batch_last;
			cursor_save(fw);
			fw->blen = 0;
			fw->batch_last = -1;
			backoff = 0;
			continue;
		}
		/* Exponential backoff with full jitter. */
		backoff = backoff == 0 ? BACKOFF_MIN_MS :
		    backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		wait = backoff / 2 + (long)randombytes_uniform(
		    (uint32_t)(backoff / 2 + 1));
		nap(fw, wait, false);
	}
	curl_easy_cleanup(curl);
	return NULL;
}

static void
forward_free(struct forward *fw)
{
	if (fw == NULL)
		return;
	if (fw->fd != -1)
		close(fw->fd);
	free(fw->url);
	free(fw->ca);
	free(fw->journal);
	if (fw->auth_header != NULL) {
		sodium_memzero(fw->auth_header, strlen(fw->auth_header));
		free(fw->auth_header);
	}
	free(fw->batch);
	pthread_mutex_destroy(&fw->lock);
	pthread_cond_destroy(&fw->wake);
	free(fw);
}

/* Read the bearer token: a trusted secret file, one line. */
static int
load_token(struct forward *fw, const char *path, struct hg_msg *msg)
{
	static const char pre[] = "Authorization: Bearer ";
	char *text;
	size_t len;
	int r;

	if ((r = trust_read(path, TRUST_SECRET, geteuid(), TOKEN_MAX, &text,
	    &len, msg)) != 0)
		return r;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (len == 0 || strpbrk(text, "\r\n") != NULL) {
		sodium_memzero(text, len);
		free(text);
		return hg_fail(msg, HG_ERR_CONFIG, "%s: the token must be "
		    "one non-empty line", path);
	}
	if ((fw->auth_header = malloc(sizeof(pre) + len)) == NULL)
		r = HG_ERR_NOMEM;
	else
		snprintf(fw->auth_header, sizeof(pre) + len, "%s%s", pre,
		    text);
	sodium_memzero(text, len);
	free(text);
	return r;
}

int
forward_check(const struct hg_conf *conf, struct hg_msg *msg)
{
	struct forward probe;
	int r = 0;

	if (conf->audit_forward_url == NULL ||
	    strncmp(conf->audit_forward_url, "https://", 8) != 0)
		return hg_fail(msg, HG_ERR_CONFIG, "audit_forward_url must "
		    "be an https:// URL");
	if (conf->audit_forward_ca != NULL &&
	    access(conf->audit_forward_ca, R_OK) != 0)
		return hg_fail(msg, HG_ERR_NOENT, "%s: %s",
		    conf->audit_forward_ca, strerror(errno));
	memset(&probe, 0, sizeof(probe));
	if (conf->audit_forward_token_file != NULL &&
	    (r = load_token(&probe, conf->audit_forward_token_file,
	    msg)) == 0) {
		sodium_memzero(probe.auth_header, strlen(probe.auth_header));
		free(probe.auth_header);
	}
	return r;
}

int
forward_start(const struct hg_conf *conf, struct forward **out,
    struct hg_msg *msg)
{
	struct forward *fw;
	int r;

	*out = NULL;
	if ((r = forward_check(conf, msg)) != 0)
		return r;
	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		return HG_ERR_NOMEM;
	pthread_mutex_init(&fw->lock, NULL);
	pthread_cond_init(&fw->wake, NULL);
	fw->fd = -1;
	fw->batch_last = -1;
	if ((fw->url = strdup(conf->audit_forward_url)) == NULL ||
	    (fw->journal = strdup(conf->audit_log)) == NULL ||
	    (conf->audit_forward_ca != NULL &&
	    (fw->ca = strdup(conf->audit_forward_ca)) == NULL) ||
	    (fw->batch = malloc(BATCH_MAX_BYTES + 2)) == NULL) {
		r = HG_ERR_NOMEM;
		goto fail;
	}
	if (conf->audit_forward_token_file != NULL &&
	    (r = load_token(fw, conf->audit_forward_token_file, msg)) != 0)
		goto fail;
	if (snprintf(fw->cursor_path, sizeof(fw->cursor_path),
	    "%s/" FORWARD_CURSOR, conf->state_dir) >=
	    (int)sizeof(fw->cursor_path)) {
		r = hg_fail(msg, HG_ERR_CONFIG, "state_dir too long");
		goto fail;
	}
	fw->cursor = cursor_load(fw->cursor_path);
	if (pthread_create(&fw->thread, NULL, forward_main, fw) != 0) {
		r = hg_fail(msg, HG_ERR_IO, "cannot start the forwarder");
		goto fail;
	}
	*out = fw;
	return 0;
 fail:
	forward_free(fw);
	return r;
}

void
forward_notify(struct forward *fw)
{
	if (fw == NULL)
		return;
	pthread_mutex_lock(&fw->lock);
	fw->pending = true;
	pthread_cond_signal(&fw->wake);
	pthread_mutex_unlock(&fw->lock);
}

void
forward_stop(struct forward *fw)
{
	if (fw == NULL)
		return;
	pthread_mutex_lock(&fw->lock);
	fw->stop = true;
	pthread_cond_signal(&fw->wake);
	pthread_mutex_unlock(&fw->lock);
	pthread_join(fw->thread, NULL);
	forward_free(fw);
}
