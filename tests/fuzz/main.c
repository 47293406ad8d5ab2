/*
 * NAME		main - replay driver for fuzz targets built without libFuzzer
 * DOES		feeds each file named on the command line (or each file in
 *		each directory named) to LLVMFuzzerTestOneInput once
 * NEVER	mutates input; a crash or sanitizer report fails the test
 */
#include <config.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/file.h"
#include "util/qstr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT	(16 * 1024 * 1024)

static int
replay_file(const char *path)
{
	struct qstr s = QSTR_INIT(FUZZ_MAX_INPUT + 1);
	int err;

	if ((err = file_read_all(path, FUZZ_MAX_INPUT, 0, &s)) < 0) {
		fprintf(stderr, "%s: cannot read\n", path);
		qstr_free(&s);
		return -1;
	}
	/* a private copy of exactly len bytes, so ASan sees overreads */
	{
		uint8_t *copy = malloc(s.len ? s.len : 1);

		if (copy == NULL) {
			qstr_free(&s);
			return -1;
		}
		if (s.len)
			memcpy(copy, s.buf, s.len);
		LLVMFuzzerTestOneInput(copy, s.len);
		free(copy);
	}
	qstr_free(&s);
	return 0;
}

int
main(int argc, char **argv)
{
	struct qstr path = QSTR_INIT(4096);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int i, n = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: no such file\n", argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += replay_file(argv[i]) < 0;
			n++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			bad++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			qstr_reset(&path);
			if (qstr_catf(&path, "%s/%s", argv[i], de->d_name) < 0)
				continue;
			bad += replay_file(path.buf) < 0;
			n++;
		}
		closedir(d);
	}
	qstr_free(&path);
	printf("replayed %d inputs\n", n);
	return bad ? 1 : (n == 0 ? 2 : 0);
}
