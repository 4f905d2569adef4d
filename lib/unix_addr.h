/* SPDX-License-Identifier: BSD-3-Clause */
/* Unix socket addresses from a path, for the servers and clients of the
 * control sockets (fp-dpdk's control socket, fpctl, fp-control's
 * backend).  A path must fit sun_path with its NUL: at most
 * FP_UNIX_PATH_MAX bytes; a longer one is refused, never cut.
 */
#ifndef FP_LIB_UNIX_ADDR_H
#define FP_LIB_UNIX_ADDR_H

#include <sys/un.h>

/** The longest socket path, in bytes, without its NUL (107 on Linux). */
#define FP_UNIX_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/**
 * Fill a Unix socket address.
 *
 * @param sa the address to fill (zeroed first)
 * @param path the socket file's path
 * @return 0, -EINVAL (path NULL or empty) or -ENAMETOOLONG (path longer
 *         than FP_UNIX_PATH_MAX)
 */
int fp_unix_addr_set(struct sockaddr_un *sa, const char *path);

/**
 * Connect a stream socket to a Unix socket path.
 *
 * @param path the socket file's path
 * @param flags socket type flags added to SOCK_STREAM (SOCK_CLOEXEC, ...)
 * @return the connected descriptor, or what fp_unix_addr_set() returns, or
 *         the negative errno of socket() or connect() (-ENOENT,
 *         -ECONNREFUSED, -EACCES, ...)
 */
int fp_unix_connect(const char *path, int flags);

/**
 * Text for an error of this module: for -ENAMETOOLONG, that the socket
 * path is longer than FP_UNIX_PATH_MAX bytes; else strerror().
 *
 * @param err a negative errno
 * @return a static string
 */
const char *fp_unix_strerror(int err);

#endif /* FP_LIB_UNIX_ADDR_H */
