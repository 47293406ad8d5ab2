/*
 * NAME		err - text for enum qpm_err
 * DOES		maps an error code to a short phrase
 * NEVER	allocates
 */
#include <config.h>

#include <string.h>

#include "util/err.h"

const char *
qpm_strerror(int err)
{
	switch (err) {
	case QPM_OK:
		return "success";
	case QPM_ESYNTAX:
		return "syntax error";
	case QPM_ETEMP:
		return "temporary failure";
	case QPM_ERANGE:
		return "limit exceeded";
	case QPM_ELOOP:
		return "symbolic link refused";
	default:
		if (err < 0 && err > -1000)
			return strerror(-err);
		return "unknown error";
	}
}
