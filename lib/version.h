/* SPDX-License-Identifier: BSD-3-Clause */
/* What a program was built from: meson's project version and
 * `git describe --always --dirty --abbrev=12` at build time ("unknown"
 * when built outside a git checkout, e.g. from a release tarball).
 * Every program prints them for --version.
 */
#ifndef FP_LIB_VERSION_H
#define FP_LIB_VERSION_H

#include <stdio.h>

/** @return the project version, e.g. "0.1.0" */
const char *fp_version_string(void);

/** @return git describe of the source tree, e.g. "4e7934c0a1b2-dirty", or "unknown" */
const char *fp_version_git(void);

/**
 * Print "<prog> <version> (git <describe>)" and a newline.
 *
 * @param f    where to (stdout for --version)
 * @param prog the program's name
 */
void fp_version_print(FILE *f, const char *prog);

#endif /* FP_LIB_VERSION_H */
