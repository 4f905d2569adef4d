/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's persisted desired state: the model as a snapshot JSON
 * document in <state_dir>/state.json, written atomically (a temporary
 * file, fsync, rename over the old one, fsync of the directory), so a
 * crash leaves either the old or the new state, never a torn one.  The
 * temporary file (state.json.tmp) is always created anew (O_EXCL,
 * O_NOFOLLOW, mode 0600): a file or link left at its name is removed,
 * never written through.
 */
#ifndef FP_CONTROL_STATE_H
#define FP_CONTROL_STATE_H

#include <stddef.h>

#include <jansson.h>

#define FP_STATE_FILE "state.json"

/**
 * Write doc to <dir>/state.json atomically (creating dir, mode 0700).
 *
 * @return 0, or -errno (the message in err)
 */
int fp_state_save(const char *dir, const json_t *doc, char *err, size_t errsz);

/**
 * Remove <dir>/state.json (no desired state: the next start leaves the
 * dataplane alone).
 *
 * @return 0 (also when there was no file), or -errno (the message in err)
 */
int fp_state_remove(const char *dir, char *err, size_t errsz);

/**
 * Read <dir>/state.json.
 *
 * @param out the document (new reference); NULL when there is no file
 * @return 0 (also when there is no file: *out NULL), or -EINVAL (not
 *	   JSON, message in err with line and column), -errno
 */
int fp_state_load(const char *dir, json_t **out, char *err, size_t errsz);

#endif /* FP_CONTROL_STATE_H */
