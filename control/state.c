/* SPDX-License-Identifier: BSD-3-Clause */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
fail(char *err, size_t errsz, int rc, const char *what, const char *path)
{
	snprintf(err, errsz, "%s %s: %s", what, path, strerror(-rc));
	return rc;
}

/* json_dump_callback sink: write everything to fd. */
static int
write_all(const char *buf, size_t size, void *arg)
{
	int fd = *(int *)arg;

	while (size > 0) {
		ssize_t n = write(fd, buf, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		size -= (size_t)n;
	}
	return 0;
}

int
fp_state_save(const char *dir, const json_t *doc, char *err, size_t errsz)
{
	char path[512], tmp[520], *text;
	int fd, dfd, rc;
	size_t len;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, FP_STATE_FILE) >= sizeof(path))
		return fail(err, errsz, -ENAMETOOLONG, "state file", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return fail(err, errsz, -errno, "create", dir);
	/* One buffer, one write: json_dump_callback() would call write()
	 * for every token.
	 */
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return fail(err, errsz, -ENOMEM, "serialise", path);
	/* A fresh file of our own: whatever sits at tmp (a leftover of a
	 * crash, or a link planted there) is removed, not followed, and
	 * O_EXCL fails if something reappears in between.
	 */
	if (unlink(tmp) < 0 && errno != ENOENT) {
		rc = -errno;
		free(text);
		return fail(err, errsz, rc, "remove", tmp);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		free(text);
		return fail(err, errsz, rc, "create", tmp);
	}
	len = strlen(text);
	if (write_all(text, len, &fd) < 0 || write_all("\n", 1, &fd) < 0) {
		rc = errno ? -errno : -EIO;
		free(text);
		goto err_close;
	}
	free(text);
	if (fsync(fd) < 0) {
		rc = -errno;
		goto err_close;
	}
	if (close(fd) < 0) {
		rc = -errno;
		goto err_unlink;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		goto err_unlink;
	}
	/* The rename itself must reach the disk. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;

err_close:
	close(fd);
err_unlink:
	unlink(tmp);
	return fail(err, errsz, rc, "write", tmp);
}

int
fp_state_remove(const char *dir, char *err, size_t errsz)
{
	char path[512];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, FP_STATE_FILE) >= sizeof(path))
		return fail(err, errsz, -ENAMETOOLONG, "state file", dir);
	if (unlink(path) < 0 && errno != ENOENT)
		return fail(err, errsz, -errno, "remove", path);
	return 0;
}

int
fp_state_load(const char *dir, json_t **out, char *err, size_t errsz)
{
	char path[512];
	json_error_t je;
	json_t *doc;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, FP_STATE_FILE) >= sizeof(path))
		return fail(err, errsz, -ENAMETOOLONG, "state file", dir);
	if (access(path, F_OK) < 0) {
		if (errno == ENOENT)
			return 0;
		return fail(err, errsz, -errno, "read", path);
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		snprintf(err, errsz, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -EINVAL;
	}
	*out = doc;
	return 0;
}
