/*
 * sim_yaml.h - one YAML document read within bounds (the scenario reader's
 * front end).
 *
 * Owns: the limits on what a scenario may cost to read, and checking them
 * before libyaml builds a document.  libyaml's document loader has no
 * limits: nesting 200k levels took 102 s, a 4 MB flat list 323 MB.  So the
 * bytes are read whole (at most SIM_YAML_MAX_BYTES), then parsed once with
 * the event API, which stops at the first event past a limit: nesting
 * deeper than SIM_YAML_MAX_DEPTH, more than SIM_YAML_MAX_NODES nodes, a
 * second document, or a scalar holding a NUL byte (a "\0" escape: the rest
 * of the program reads scalars as C strings, so it would see a shorter
 * key or value than the file has).  Only then is the document loaded, from
 * the same bytes.  A real scenario is a few kilobytes, about 4 levels deep
 * and a few hundred nodes; the largest the reader takes (254 endpoints,
 * SIM_MAX_ENDPOINTS, each with every key its device takes, in block
 * style) is under 100 KB and 8,000 nodes, well inside both limits.
 *
 * Errors are one line "NAME:LINE: what (expected ...)", NAME shown with
 * sim_text_show(); -EINVAL, or -ENOMEM.
 */
#ifndef SIM_YAML_H
#define SIM_YAML_H

#include <stddef.h>
#include <stdio.h>
#include <yaml.h>

#define SIM_YAML_MAX_BYTES (1U << 20)
#define SIM_YAML_MAX_DEPTH 16U	   /* collections inside one another */
#define SIM_YAML_MAX_NODES 100000U /* scalars, collections and aliases */

/* Read all of f (closed before returning) into *text, NUL-terminated, its
 * length in *len; more than SIM_YAML_MAX_BYTES is an error. */
int sim_yaml_read(FILE *f, const char *name, char **text, size_t *len,
		  char *err, size_t errlen);
/* Check text[0..len) against the limits, then load its document into doc
 * (to be freed with yaml_document_delete(); with no document in text, a
 * document with no root node). */
int sim_yaml_load(yaml_document_t *doc, const char *name, const char *text,
		  size_t len, char *err, size_t errlen);

#endif /* SIM_YAML_H */
