/*
 * sim_yaml.c - bounded YAML loading (sim_yaml.h): a pre-pass over the
 * event stream, then libyaml's document loader on the same bytes.
 */
#include "sim_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_file.h"
#include "sim_text.h"

static int sim_yaml_fail(const char *name, size_t line, char *err,
			 size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int sim_yaml_fail(const char *name, size_t line, char *err,
			 size_t errlen, const char *fmt, ...)
{
	char shown[4 * SIM_FILE_SHOW + 4];
	va_list ap;
	int n;

	sim_text_show(shown, sizeof(shown), name, SIM_FILE_SHOW);
	n = line != 0 ? snprintf(err, errlen, "%s:%zu: ", shown, line)
		      : snprintf(err, errlen, "%s: ", shown);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int sim_yaml_read(FILE *f, const char *name, char **text, size_t *len,
		  char *err, size_t errlen)
{
	/* One byte more than the limit tells "over" from "exactly at". */
	char *buf = malloc(SIM_YAML_MAX_BYTES + 2);
	size_t n;
	int rc = 0;

	*text = NULL;
	*len = 0;
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "scenario: out of memory");
		return -ENOMEM;
	}
	n = fread(buf, 1, SIM_YAML_MAX_BYTES + 1, f);
	if (ferror(f))
		rc = sim_yaml_fail(name, 0, err, errlen, "%s (expected a readable scenario file)",
				   strerror(errno != 0 ? errno : EIO));
	else if (n > SIM_YAML_MAX_BYTES)
		rc = sim_yaml_fail(name, 0, err, errlen, "more than %u bytes (expected at most %u bytes: a scenario is small)",
				   SIM_YAML_MAX_BYTES, SIM_YAML_MAX_BYTES);
	fclose(f);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* The pre-pass: 0 once the stream ended within the limits. */
static int sim_yaml_check(yaml_parser_t *p, const char *name, char *err,
			  size_t errlen)
{
	yaml_event_t ev;
	uint32_t depth = 0, nodes = 0, docs = 0;
	size_t line;
	bool done = false;
	int rc = 0;

	while (!done && rc == 0) {
		if (!yaml_parser_parse(p, &ev))
			return sim_yaml_fail(name, p->problem_mark.line + 1, err, errlen,
					     "YAML syntax error: %s%s%s",
					     p->problem ? p->problem : "?",
					     p->context ? " " : "",
					     p->context ? p->context : "");
		line = ev.start_mark.line + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = sim_yaml_fail(name, line, err, errlen,
						   "a second YAML document (expected one document)");
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > SIM_YAML_MAX_DEPTH)
				rc = sim_yaml_fail(name, line, err, errlen,
						   "nesting deeper than %u levels (expected at most %u)",
						   SIM_YAML_MAX_DEPTH, SIM_YAML_MAX_DEPTH);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT:
			if (strlen((const char *)ev.data.scalar.value) != ev.data.scalar.length)
				rc = sim_yaml_fail(name, line, err, errlen,
						   "a key or value holds a NUL byte (expected text without \\0)");
			break;
		default:
			break;
		}
		if (rc == 0 && (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT ||
				ev.type == YAML_SEQUENCE_START_EVENT ||
				ev.type == YAML_MAPPING_START_EVENT) &&
		    ++nodes > SIM_YAML_MAX_NODES)
			rc = sim_yaml_fail(name, line, err, errlen,
					   "more than %u nodes (expected at most %u: a scenario is small)",
					   SIM_YAML_MAX_NODES, SIM_YAML_MAX_NODES);
		yaml_event_delete(&ev);
	}
	return rc;
}

int sim_yaml_load(yaml_document_t *doc, const char *name, const char *text,
		  size_t len, char *err, size_t errlen)
{
	yaml_parser_t p;
	int rc;

	if (len > SIM_YAML_MAX_BYTES)
		return sim_yaml_fail(name, 0, err, errlen, "%zu bytes (expected at most %u bytes: a scenario is small)",
				     len, SIM_YAML_MAX_BYTES);
	if (!yaml_parser_initialize(&p))
		goto oom;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	rc = sim_yaml_check(&p, name, err, errlen);
	yaml_parser_delete(&p);
	if (rc != 0)
		return rc;
	/* Within the limits: the loader's cost is now bounded too. */
	if (!yaml_parser_initialize(&p))
		goto oom;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	/* The events were well formed; the loader may still refuse an alias
	 * to an undefined anchor. */
	if (!yaml_parser_load(&p, doc)) {
		rc = sim_yaml_fail(name, p.problem_mark.line + 1, err, errlen,
				   "YAML error: %s%s%s", p.problem ? p.problem : "?",
				   p.context ? " " : "", p.context ? p.context : "");
		yaml_parser_delete(&p);
		return rc;
	}
	yaml_parser_delete(&p);
	return 0;
oom:
	snprintf(err, errlen, "scenario: out of memory");
	return -ENOMEM;
}
