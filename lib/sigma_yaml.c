/*
 * YAML streams into small trees with positions (libyaml's document API),
 * and the merging that rule collections (action: global / repeat) need.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "canh/mem.h"
#include "sigma_internal.h"

void canh__ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		canh__ynode_free(n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n);
}

static struct ynode *ynode_new(int type, unsigned line, unsigned col)
{
	struct ynode *n = canh_xcalloc(1, sizeof(*n));
	n->type = (uint8_t)type;
	n->line = line;
	n->col = col;
	return n;
}

/* Convert node `idx`; NULL when a cap is exceeded (aliases can multiply nodes). */
static struct ynode *convert(yaml_document_t *doc, yaml_node_t *yn, size_t *count, int depth)
{
	if (!yn || depth > SIGMA_YAML_DEPTH_MAX || ++*count > SIGMA_YAML_NODES_MAX)
		return NULL;
	unsigned line = (unsigned)yn->start_mark.line + 1,
		 col = (unsigned)yn->start_mark.column + 1;
	struct ynode *n;
	switch (yn->type) {
	case YAML_SCALAR_NODE:
		n = ynode_new(Y_SCALAR, line, col);
		n->len = yn->data.scalar.length;
		n->s = canh_xstrndup((const char *)yn->data.scalar.value, n->len);
		n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		return n;
	case YAML_SEQUENCE_NODE: {
		n = ynode_new(Y_SEQ, line, col);
		size_t k = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
		n->kids = canh_xcalloc(k ? k : 1, sizeof(*n->kids));
		for (size_t i = 0; i < k; i++) {
			yaml_node_t *c =
			    yaml_document_get_node(doc, yn->data.sequence.items.start[i]);
			struct ynode *cn = convert(doc, c, count, depth + 1);
			if (!cn) {
				canh__ynode_free(n);
				return NULL;
			}
			n->kids[n->n++] = cn;
		}
		return n;
	}
	case YAML_MAPPING_NODE: {
		n = ynode_new(Y_MAP, line, col);
		size_t k = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
		n->kids = canh_xcalloc(k ? 2 * k : 1, sizeof(*n->kids));
		for (size_t i = 0; i < k; i++) {
			yaml_node_pair_t *p = &yn->data.mapping.pairs.start[i];
			struct ynode *kn =
			    convert(doc, yaml_document_get_node(doc, p->key), count, depth + 1);
			struct ynode *vn = kn ? convert(doc, yaml_document_get_node(doc, p->value),
							count, depth + 1)
					      : NULL;
			if (!kn || !vn || kn->type != Y_SCALAR) {
				canh__ynode_free(kn);
				canh__ynode_free(vn);
				canh__ynode_free(n);
				return NULL;
			}
			n->kids[n->n++] = kn;
			n->kids[n->n++] = vn;
		}
		return n;
	}
	default:
		return NULL;
	}
}

void canh__sigma_yaml_parse(const char *text, size_t len, struct ystream *out)
{
	memset(out, 0, sizeof(*out));
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		out->error = 1;
		canh_strlcpy(out->err_text, "cannot initialise the YAML parser",
			     sizeof(out->err_text));
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	size_t cap = 0, total = 0;
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&p, &doc)) {
			out->error = 1;
			out->err_line = (unsigned)p.problem_mark.line + 1;
			out->err_col = (unsigned)p.problem_mark.column + 1;
			snprintf(out->err_text, sizeof(out->err_text), "%s%s%s",
				 p.problem ? p.problem : "malformed YAML", p.context ? " " : "",
				 p.context ? p.context : "");
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break; /* end of stream */
		}
		struct ynode *n = convert(&doc, root, &total, 0);
		if (!n) {
			out->error = 1;
			out->err_line = (unsigned)root->start_mark.line + 1;
			out->err_col = (unsigned)root->start_mark.column + 1;
			canh_strlcpy(
			    out->err_text,
			    "document too large or too deeply nested, or a non-scalar map key",
			    sizeof(out->err_text));
			yaml_document_delete(&doc);
			break;
		}
		yaml_document_delete(&doc);
		if (out->ndocs == cap) {
			cap = cap ? cap * 2 : 8;
			out->docs = canh_xrealloc(out->docs, cap * sizeof(*out->docs));
		}
		out->docs[out->ndocs++] = n;
	}
	yaml_parser_delete(&p);
}

void canh__sigma_yaml_release(struct ystream *ys)
{
	for (size_t i = 0; i < ys->ndocs; i++)
		canh__ynode_free(ys->docs[i]);
	free(ys->docs);
	memset(ys, 0, sizeof(*ys));
}

struct ynode *canh__ynode_clone(const struct ynode *n)
{
	if (!n)
		return NULL;
	struct ynode *c = ynode_new(n->type, n->line, n->col);
	c->plain = n->plain;
	c->len = n->len;
	if (n->s)
		c->s = canh_xstrndup(n->s, n->len);
	if (n->n) {
		c->kids = canh_xcalloc(n->n, sizeof(*c->kids));
		for (size_t i = 0; i < n->n; i++)
			c->kids[i] = canh__ynode_clone(n->kids[i]);
		c->n = n->n;
	}
	return c;
}

const struct ynode *canh__ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		if (strcmp(map->kids[i]->s, key) == 0)
			return map->kids[i + 1];
	}
	return NULL;
}

struct ynode *canh__ynode_merge(const struct ynode *base, const struct ynode *over)
{
	if (!base)
		return canh__ynode_clone(over);
	if (!over || base->type != Y_MAP || over->type != Y_MAP)
		return canh__ynode_clone(over ? over : base);
	struct ynode *r = canh__ynode_clone(base);
	for (size_t i = 0; i + 1 < over->n; i += 2) {
		const char *k = over->kids[i]->s;
		size_t j;
		for (j = 0; j + 1 < r->n; j += 2) {
			if (strcmp(r->kids[j]->s, k) == 0)
				break;
		}
		if (j + 1 < r->n) {
			struct ynode *m = canh__ynode_merge(r->kids[j + 1], over->kids[i + 1]);
			canh__ynode_free(r->kids[j + 1]);
			r->kids[j + 1] = m;
		} else {
			r->kids = canh_xrealloc(r->kids, (r->n + 2) * sizeof(*r->kids));
			r->kids[r->n++] = canh__ynode_clone(over->kids[i]);
			r->kids[r->n++] = canh__ynode_clone(over->kids[i + 1]);
		}
	}
	return r;
}

bool canh__ynode_is_null(const struct ynode *n)
{
	if (!n)
		return true;
	if (n->type != Y_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->s, "null") == 0 || strcmp(n->s, "~") == 0 ||
	       strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0;
}
