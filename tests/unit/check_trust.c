/*
 * Trust checks by descriptor: type, owner and mode of settings and secret
 * files and of state directories, and the atomic replace used for state.
 */
#include "config.h"
#include "unit.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>

#include "trust.h"

/* A uid that owns none of the files a test makes (they are ours). */
#define OTHER_UID	((uid_t)(geteuid() == 65534 ? 65533 : 65534))

/* Make DIR/NAME with MODE and return its path in PATH. */
static void
mkfile(char *path, size_t size, const char *dir, const char *name,
    const char *text, mode_t mode)
{
	unit_path(path, size, dir, name);
	unit_write_str(path, text, mode);
}

/* trust_read() PATH at LEVEL and return the result; the buffer is freed. */
static int
try_read(const char *path, enum trust_level level, uid_t owner,
    struct hg_msg *msg)
{
	char *buf = (char *)1;
	size_t len = 1;
	int r;

	msg->text[0] = '\0';
	r = trust_read(path, level, owner, 4096, &buf, &len, msg);
	if (r != 0) {
		ck_assert_ptr_null(buf);
		ck_assert_uint_eq(len, 0);
	}
	free(buf);
	return r;
}

START_TEST(read_regular_secret_ok)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct hg_msg msg;
	size_t len;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "hello\nworld\n", 0600);
	ck_assert_int_eq(trust_read(path, TRUST_SECRET, geteuid(), 4096,
	    &buf, &len, &msg), 0);
	ck_assert_uint_eq(len, 12);
	ck_assert_str_eq(buf, "hello\nworld\n");
	ck_assert_int_eq(buf[len], '\0');
	free(buf);
}
END_TEST

START_TEST(read_regular_public_ok)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct hg_msg msg;
	size_t len;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x = y\n", 0644);
	ck_assert_int_eq(trust_read(path, TRUST_PUBLIC, geteuid(), 4096,
	    &buf, &len, &msg), 0);
	ck_assert_str_eq(buf, "x = y\n");
	free(buf);
}
END_TEST

START_TEST(read_readonly_0400_ok)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "k", 0400);
	ck_assert_int_eq(try_read(path, TRUST_SECRET, geteuid(), &msg), 0);
}
END_TEST

START_TEST(read_empty_ok)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct hg_msg msg;
	size_t len = 99;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "", 0600);
	ck_assert_int_eq(trust_read(path, TRUST_SECRET, geteuid(), 4096,
	    &buf, &len, &msg), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
	free(buf);
}
END_TEST

START_TEST(read_symlink_untrusted)
{
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "target", "x", 0600);
	unit_path(link, sizeof(link), dir, "link");
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(try_read(link, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, link));
	ck_assert_int_eq(try_read(link, TRUST_PUBLIC, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(read_group_writable_public)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0620);
	ck_assert_int_eq(try_read(path, TRUST_PUBLIC, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(read_group_writable_secret)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0620);
	ck_assert_int_eq(try_read(path, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(read_world_writable_public)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0602);
	ck_assert_int_eq(try_read(path, TRUST_PUBLIC, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(read_world_writable_secret)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0602);
	ck_assert_int_eq(try_read(path, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(read_group_readable_secret)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0640);
	ck_assert_int_eq(try_read(path, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(read_world_readable_secret)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0604);
	ck_assert_int_eq(try_read(path, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(read_group_readable_public_ok)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0644);
	ck_assert_int_eq(try_read(path, TRUST_PUBLIC, geteuid(), &msg), 0);
}
END_TEST

/* Execute bits for group or others are access too, for a secret. */
START_TEST(read_group_exec_secret)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0610);
	ck_assert_int_eq(try_read(path, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(read_wrong_owner_arg)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0600);
	ck_assert_int_eq(try_read(path, TRUST_SECRET, OTHER_UID, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
	ck_assert_int_eq(try_read(path, TRUST_PUBLIC, OTHER_UID, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

/* A file that belongs to someone else (needs root to chown). */
START_TEST(read_wrong_owner_file)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	if (geteuid() != 0)
		return;
	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0600);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(try_read(path, TRUST_SECRET, 0, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_int_eq(try_read(path, TRUST_PUBLIC, 0, &msg),
	    HG_ERR_UNTRUSTED);
	/* ... and is fine for the uid that does own it. */
	ck_assert_int_eq(try_read(path, TRUST_SECRET, 65534, &msg), 0);
}
END_TEST

START_TEST(read_directory_untrusted)
{
	char dir[PATH_MAX], sub[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(sub, sizeof(sub), dir, "sub");
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_eq(try_read(sub, TRUST_PUBLIC, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_int_eq(try_read(sub, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

/* A FIFO in place of the file is refused at once, not waited on. */
START_TEST(read_fifo_untrusted)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	alarm(3);	/* a hang fails the test with SIGALRM */
	ck_assert_int_eq(try_read(path, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_int_eq(try_read(path, TRUST_PUBLIC, geteuid(), &msg),
	    HG_ERR_UNTRUSTED);
	alarm(0);
}
END_TEST

START_TEST(read_missing_noent)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "absent");
	ck_assert_int_eq(try_read(path, TRUST_SECRET, geteuid(), &msg),
	    HG_ERR_NOENT);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(read_too_large)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf = (char *)1;
	char data[101];
	struct hg_msg msg;
	size_t len = 1;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "f");
	memset(data, 'x', sizeof(data));
	unit_write(path, data, sizeof(data), 0600);
	ck_assert_int_eq(trust_read(path, TRUST_SECRET, geteuid(), 100,
	    &buf, &len, &msg), HG_ERR_TOOLONG);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(read_exactly_max)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	char data[100];
	struct hg_msg msg;
	size_t len;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "f");
	memset(data, 'x', sizeof(data));
	unit_write(path, data, sizeof(data), 0600);
	ck_assert_int_eq(trust_read(path, TRUST_SECRET, geteuid(), 100,
	    &buf, &len, &msg), 0);
	ck_assert_uint_eq(len, 100);
	ck_assert_int_eq(memcmp(buf, data, 100), 0);
	free(buf);
}
END_TEST

START_TEST(check_fd_regular_ok)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;
	int fd;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0600);
	fd = open(path, O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(trust_check_fd(fd, path, TRUST_SECRET, geteuid(),
	    &msg), 0);
	ck_assert_int_eq(fchmod(fd, 0660), 0);
	ck_assert_int_eq(trust_check_fd(fd, path, TRUST_SECRET, geteuid(),
	    &msg), HG_ERR_UNTRUSTED);
	ck_assert_int_eq(trust_check_fd(fd, path, TRUST_PUBLIC, geteuid(),
	    &msg), HG_ERR_UNTRUSTED);
	close(fd);
}
END_TEST

START_TEST(check_dir_ok)
{
	char dir[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	ck_assert_int_eq(trust_check_dir(dir, geteuid(), TRUST_PUBLIC, &msg), 0);
	/* Readable and searchable by others is fine: only writes matter. */
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(trust_check_dir(dir, geteuid(), TRUST_PUBLIC, &msg), 0);
}
END_TEST

START_TEST(check_dir_group_writable)
{
	char dir[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	ck_assert_int_eq(chmod(dir, 0770), 0);
	msg.text[0] = '\0';
	ck_assert_int_eq(trust_check_dir(dir, geteuid(), TRUST_PUBLIC, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, dir));
}
END_TEST

START_TEST(check_dir_world_writable_sticky)
{
	char dir[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	ck_assert_int_eq(chmod(dir, 01777), 0);
	ck_assert_int_eq(trust_check_dir(dir, geteuid(), TRUST_PUBLIC, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(check_dir_wrong_owner)
{
	char dir[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	ck_assert_int_eq(trust_check_dir(dir, OTHER_UID, TRUST_PUBLIC, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(check_dir_symlink)
{
	char dir[PATH_MAX], sub[PATH_MAX], link[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(sub, sizeof(sub), dir, "real");
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	unit_path(link, sizeof(link), dir, "link");
	ck_assert_int_eq(symlink(sub, link), 0);
	ck_assert_int_eq(trust_check_dir(sub, geteuid(), TRUST_PUBLIC, &msg), 0);
	ck_assert_int_eq(trust_check_dir(link, geteuid(), TRUST_PUBLIC, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(check_dir_not_a_dir)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkfile(path, sizeof(path), dir, "f", "x", 0600);
	ck_assert_int_eq(trust_check_dir(path, geteuid(), TRUST_PUBLIC, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(check_dir_missing)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "absent");
	ck_assert_int_eq(trust_check_dir(path, geteuid(), TRUST_PUBLIC, &msg),
	    HG_ERR_NOENT);
}
END_TEST

/* No "PATH.new" (or any other sibling) is left behind. */
static void
assert_only_file(const char *dir, const char *name)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0;

	unit_path(path, sizeof(path), dir, name);
	ck_assert((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) <
	    sizeof(tmp));
	ck_assert_msg(!unit_exists(tmp), "%s left behind", tmp);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		ck_assert_str_eq(de->d_name, name);
		n++;
	}
	closedir(d);
	ck_assert_int_eq(n, 1);
}

START_TEST(replace_creates)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct hg_msg msg;
	struct stat st;
	size_t len;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "state");
	ck_assert_int_eq(trust_replace(path, "one\ntwo\n", 8, 0600, &msg),
	    0);
	buf = unit_read(path, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_str_eq(buf, "one\ntwo\n");
	free(buf);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	assert_only_file(dir, "state");
}
END_TEST

/* The mode is the one asked for, whatever the umask. */
START_TEST(replace_mode_ignores_umask)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;
	struct stat st;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "f");
	umask(077);
	ck_assert_int_eq(trust_replace(path, "x", 1, 0644, &msg), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	assert_only_file(dir, "f");
}
END_TEST

START_TEST(replace_existing)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct hg_msg msg;
	struct stat before, after;
	size_t len;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "state");
	unit_write_str(path, "old content that is longer\n", 0644);
	ck_assert_int_eq(lstat(path, &before), 0);
	ck_assert_int_eq(trust_replace(path, "new\n", 4, 0600, &msg), 0);
	buf = unit_read(path, &len);
	ck_assert_uint_eq(len, 4);
	ck_assert_str_eq(buf, "new\n");
	free(buf);
	ck_assert_int_eq(lstat(path, &after), 0);
	ck_assert_uint_eq(after.st_mode & 07777, 0600);
	/* Replaced by rename, not rewritten in place. */
	ck_assert_uint_ne(before.st_ino, after.st_ino);
	assert_only_file(dir, "state");
}
END_TEST

/* A leftover PATH.new from a crash (other mode, other data) is harmless. */
START_TEST(replace_stale_tmp)
{
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX], *buf;
	struct hg_msg msg;
	struct stat st;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "state");
	unit_path(tmp, sizeof(tmp), dir, "state.new");
	unit_write_str(tmp, "stale stale stale stale\n", 0666);
	ck_assert_int_eq(trust_replace(path, "fresh\n", 6, 0600, &msg), 0);
	buf = unit_read(path, NULL);
	ck_assert_str_eq(buf, "fresh\n");
	free(buf);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	assert_only_file(dir, "state");
}
END_TEST

START_TEST(replace_empty)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct hg_msg msg;
	size_t len = 99;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "f");
	unit_write_str(path, "something\n", 0600);
	ck_assert_int_eq(trust_replace(path, "", 0, 0600, &msg), 0);
	buf = unit_read(path, &len);
	ck_assert_uint_eq(len, 0);
	free(buf);
	assert_only_file(dir, "f");
}
END_TEST

START_TEST(replace_missing_dir)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "absent/f");
	ck_assert_int_eq(trust_replace(path, "x", 1, 0600, &msg), HG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

/* Round trip: what trust_replace() writes trust_read() accepts. */
START_TEST(name_ok_plain)
{
	ck_assert(trust_name_ok("alice"));
	ck_assert(trust_name_ok("a.b-c_d@example.org"));
	ck_assert(trust_name_ok("lock"));
	ck_assert(trust_name_ok("bob.locked"));
}
END_TEST

START_TEST(name_ok_path_like)
{
	ck_assert(!trust_name_ok(""));
	ck_assert(!trust_name_ok("../etc/shadow"));
	ck_assert(!trust_name_ok("a/b"));
	ck_assert(!trust_name_ok(".hidden"));
	ck_assert(!trust_name_ok("-rf"));
}
END_TEST

START_TEST(name_ok_bytes)
{
	ck_assert(!trust_name_ok("a b"));
	ck_assert(!trust_name_ok("a\nb"));
	ck_assert(!trust_name_ok("a\tb"));
	ck_assert(!trust_name_ok("caf\xc3\xa9"));
	ck_assert(!trust_name_ok("a\x7f"));
}
END_TEST

START_TEST(name_ok_collisions)
{
	/* Another user's lock file and trust_replace() temporary. */
	ck_assert(!trust_name_ok("bob.lock"));
	ck_assert(!trust_name_ok("bob.new"));
	ck_assert(!trust_name_ok(".lock"));
}
END_TEST

START_TEST(name_ok_length)
{
	char name[TRUST_NAME_MAX + 2];

	memset(name, 'a', sizeof(name));
	name[TRUST_NAME_MAX] = '\0';
	ck_assert(trust_name_ok(name));
	name[TRUST_NAME_MAX] = 'a';
	name[TRUST_NAME_MAX + 1] = '\0';
	ck_assert(!trust_name_ok(name));
}
END_TEST

START_TEST(replace_then_read_secret)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	unsigned char data[300];
	struct hg_msg msg;
	size_t len;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "f");
	randombytes_buf(data, sizeof(data));
	ck_assert_int_eq(trust_replace(path, data, sizeof(data), 0600, &msg),
	    0);
	ck_assert_int_eq(trust_read(path, TRUST_SECRET, geteuid(), 4096,
	    &buf, &len, &msg), 0);
	ck_assert_uint_eq(len, sizeof(data));
	ck_assert_int_eq(memcmp(buf, data, len), 0);
	free(buf);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tr = tcase_create("read");
	TCase *td = tcase_create("dir");
	TCase *tp = tcase_create("replace");

	tcase_add_unchecked_fixture(tr, unit_base_setup, unit_base_teardown);
	tcase_add_test(tr, read_regular_secret_ok);
	tcase_add_test(tr, read_regular_public_ok);
	tcase_add_test(tr, read_readonly_0400_ok);
	tcase_add_test(tr, read_empty_ok);
	tcase_add_test(tr, read_symlink_untrusted);
	tcase_add_test(tr, read_group_writable_public);
	tcase_add_test(tr, read_group_writable_secret);
	tcase_add_test(tr, read_world_writable_public);
	tcase_add_test(tr, read_world_writable_secret);
	tcase_add_test(tr, read_group_readable_secret);
	tcase_add_test(tr, read_world_readable_secret);
	tcase_add_test(tr, read_group_readable_public_ok);
	tcase_add_test(tr, read_group_exec_secret);
	tcase_add_test(tr, read_wrong_owner_arg);
	tcase_add_test(tr, read_wrong_owner_file);
	tcase_add_test(tr, read_directory_untrusted);
	tcase_add_test(tr, read_fifo_untrusted);
	tcase_add_test(tr, read_missing_noent);
	tcase_add_test(tr, read_too_large);
	tcase_add_test(tr, read_exactly_max);
	tcase_add_test(tr, check_fd_regular_ok);
	suite_add_tcase(s, tr);

	tcase_add_unchecked_fixture(td, unit_base_setup, unit_base_teardown);
	tcase_add_test(td, check_dir_ok);
	tcase_add_test(td, check_dir_group_writable);
	tcase_add_test(td, check_dir_world_writable_sticky);
	tcase_add_test(td, check_dir_wrong_owner);
	tcase_add_test(td, check_dir_symlink);
	tcase_add_test(td, check_dir_not_a_dir);
	tcase_add_test(td, check_dir_missing);
	suite_add_tcase(s, td);

	tcase_add_unchecked_fixture(tp, unit_base_setup, unit_base_teardown);
	tcase_add_test(tp, replace_creates);
	tcase_add_test(tp, replace_mode_ignores_umask);
	tcase_add_test(tp, replace_existing);
	tcase_add_test(tp, replace_stale_tmp);
	tcase_add_test(tp, replace_empty);
	tcase_add_test(tp, replace_missing_dir);
	tcase_add_test(tp, replace_then_read_secret);
	tcase_add_test(tp, name_ok_plain);
	tcase_add_test(tp, name_ok_path_like);
	tcase_add_test(tp, name_ok_bytes);
	tcase_add_test(tp, name_ok_collisions);
	tcase_add_test(tp, name_ok_length);
	suite_add_tcase(s, tp);
	return s;
}
