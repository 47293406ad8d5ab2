/*
 * NAME		report - render the cutover report document
 * DOES		text for a terminal (80 columns, colour on request), one
 *		self-contained HTML page (inline CSS and SVG, no script, no
 *		external resource), and the JSON document itself; all three
 *		read the same document (cutover-report(1), JSON SCHEMA)
 * NEVER	decides anything: what to show comes from the document
 */
#ifndef QPM_REPORT_H
#define QPM_REPORT_H

#include <jansson.h>

#include "util/qstr.h"

#define REPORT_WIDTH		80
#define REPORT_HTML_MAX_ROWS	500	/* forwards listed in HTML; the
					 * JSON has all */

/* Appends the text report. color: ANSI colours. Returns 0 or a qstr
 * error. */
int	report_text(const json_t *doc, int color, struct qstr *out);
/* Appends the HTML page. */
int	report_html(const json_t *doc, struct qstr *out);
/* Appends the JSON (sorted keys, 2-space indent, ASCII) and a newline. */
int	report_json(const json_t *doc, struct qstr *out);

/* Word-wraps text to width, each line starting with indent (first line:
 * first); used by the text report and its tests. */
int	report_wrap(struct qstr *out, const char *text, size_t width,
	    const char *first, const char *indent);

#endif
