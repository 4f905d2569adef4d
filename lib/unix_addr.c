/* SPDX-License-Identifier: BSD-3-Clause */
#include "unix_addr.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
fp_unix_addr_set(struct sockaddr_un *sa, const char *path)
{
	size_t len;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (path == NULL || path[0] == '\0')
		return -EINVAL;
	len = strlen(path);
	if (len > FP_UNIX_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

int
fp_unix_connect(const char *path, int flags)
{
	struct sockaddr_un sa;
	int fd, rc;

	rc = fp_unix_addr_set(&sa, path);
	if (rc != 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* The text names the limit; sun_path is 108 bytes on Linux. */
_Static_assert(FP_UNIX_PATH_MAX == 107, "sun_path size");

const char *
fp_unix_strerror(int err)
{
	if (err == -ENAMETOOLONG)
		return "socket path longer than 107 bytes";
	return strerror(-err);
}
