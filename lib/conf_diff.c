/* SPDX-License-Identifier: BSD-3-Clause */
#include "conf_diff.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

unsigned int
fp_conf_diff_names(const void *a, const void *b, const struct fp_conf_field *fields,
		   size_t n_fields, char *buf, size_t size)
{
	unsigned int n = 0;
	size_t i, j, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n_fields; i++) {
		if (memcmp((const char *)a + fields[i].off, (const char *)b + fields[i].off,
			   fields[i].size) == 0)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(fields[j].name, fields[i].name) == 0 &&
			    memcmp((const char *)a + fields[j].off, (const char *)b + fields[j].off,
				   fields[j].size) != 0)
				break;
		if (j < i)
			continue; /* named already */
		snprintf(buf + len, size - len, "%s%s", n ? ", " : "", fields[i].name);
		len += strlen(buf + len);
		n++;
	}
	return n;
}

void
fp_conf_diff_log(const void *old, const void *new, const struct fp_conf_field *fields,
		 size_t n_fields, const char *path)
{
	char names[512];

	if (fp_conf_diff_names(old, new, fields, n_fields, names, sizeof(names)) > 0)
		fp_log(FP_LOG_WARN, "reload: %s changed: takes effect at the next start", names);
	fp_log(FP_LOG_INFO, "reload: %s done", path);
}
