/* SPDX-License-Identifier: BSD-3-Clause */
#include "version.h"

#include "version_gen.h"

const char *
fp_version_string(void)
{
	return FP_VERSION;
}

const char *
fp_version_git(void)
{
	return FP_GIT_DESCRIBE;
}

void
fp_version_print(FILE *f, const char *prog)
{
	fprintf(f, "%s %s (git %s)\n", prog, FP_VERSION, FP_GIT_DESCRIBE);
}
