/*
 * The identity of a policy: which files, as they are now.  The module
 * names it in a decision request and hostgated answers only when the
 * policy it holds warm has the same identity (helper/decide.c), so
 * that a stack with its own policy= or config= is never decided with
 * another policy.  Stat data suffices: any edit changes mtime and ctime,
 * and a replacement the inode.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "policy_impl.h"

/* Changes if what the digest covers ever does. */
#define STAMP_DOMAIN	"hostgate policy stamp 1"

/* Fold what lstat says about NAME (in DIRFD) into H. */
static void
stamp_add(crypto_generichash_state *h, int dirfd, const char *name)
{
	struct {
		long long	dev, ino, mode, uid, gid, size;
		long long	mtime, mtime_ns, ctime, ctime_ns;
		int		err;
	} s;
	struct stat st;

	memset(&s, 0, sizeof(s));
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		s.err = errno;
	else {
		s.dev = (long long)st.st_dev;
		s.ino = (long long)st.st_ino;
		s.mode = st.st_mode;
		s.uid = st.st_uid;
		s.gid = st.st_gid;
		s.size = st.st_size;
		s.mtime = st.st_mtim.tv_sec;
		s.mtime_ns = st.st_mtim.tv_nsec;
		s.ctime = st.st_ctim.tv_sec;
		s.ctime_ns = st.st_ctim.tv_nsec;
	}
	crypto_generichash_update(h, (const unsigned char *)name,
	    strlen(name) + 1);
	crypto_generichash_update(h, (const unsigned char *)&s, sizeof(s));
}

/*
 * Every entry of policy.d counts, not only the *.conf files the load
 * reads: what sits beside them (a backup, an editor's file) is still part
 * of what the policy looks like.
 */
static bool
stamp_wanted(const char *name)
{
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

void
policy_stamp(const char *path, char out[POLICY_STAMP_HEX + 1])
{
	unsigned char digest[POLICY_STAMP_HEX / 2];
	crypto_generichash_state h;
	char dir[PATH_MAX], **names = NULL;
	size_t n = 0, count, i;
	DIR *d = NULL;
	int fd;

	crypto_generichash_init(&h, NULL, 0, sizeof(digest));
	crypto_generichash_update(&h, (const unsigned char *)STAMP_DOMAIN,
	    sizeof(STAMP_DOMAIN));
	/* The path as given: another spelling is another policy. */
	crypto_generichash_update(&h, (const unsigned char *)path,
	    strlen(path) + 1);
	stamp_add(&h, AT_FDCWD, path);
	if (policy_include_dir(path, dir, sizeof(dir)) != 0)
		goto out;
	stamp_add(&h, AT_FDCWD, dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		goto out;
	}
	/* Sorted: readdir's order may change while the contents do not. */
	count = policy_dir_names(d, stamp_wanted, NULL, &names, &n) == 0 ?
	    n : SIZE_MAX;
	for (i = 0; i < n; i++)
		stamp_add(&h, dirfd(d), names[i]);
	/*
	 * A listing that failed counts as SIZE_MAX, which no real listing
	 * does: a stamp that will not last.
	 */
	crypto_generichash_update(&h, (const unsigned char *)&count,
	    sizeof(count));
 out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d != NULL)
		closedir(d);
	crypto_generichash_final(&h, digest, sizeof(digest));
	sodium_bin2hex(out, POLICY_STAMP_HEX + 1, digest, sizeof(digest));
}
