/*
 * Internals of the Sigma engine shared by lib/sigma*.c (not installed).
 */
#ifndef CANH_SIGMA_INTERNAL_H
#define CANH_SIGMA_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canh/ipaddr.h"
#include "canh/sigma.h"

/* A YAML tree node: scalars keep their text, maps alternate key, value in kids. */
enum { Y_SCALAR, Y_SEQ, Y_MAP };
struct ynode {
	uint8_t type;
	uint8_t plain; /* scalar written without quotes (null, numbers, booleans) */
	unsigned line, col;
	char *s; /* scalar text, NUL-terminated */
	size_t len;
	struct ynode **kids;
	size_t n; /* kids; a map has n = 2 * entries */
};

/* Caps on what one YAML stream may build. */
#define SIGMA_YAML_NODES_MAX 200000
#define SIGMA_YAML_DEPTH_MAX 64

struct ystream {
	struct ynode **docs;
	size_t ndocs;
	/* Set when the stream ended with a syntax error after ndocs documents. */
	int error;
	unsigned err_line, err_col;
	char err_text[256];
};
/* Parse a whole stream; documents before a syntax error are kept. */
void canh__sigma_yaml_parse(const char *text, size_t len, struct ystream *out);
void canh__sigma_yaml_release(struct ystream *ys);
void canh__ynode_free(struct ynode *n);
struct ynode *canh__ynode_clone(const struct ynode *n);
/* A copy of base with over merged on top (maps deeply, the rest replaced). */
struct ynode *canh__ynode_merge(const struct ynode *base, const struct ynode *over);
/* The value of key in a map, or NULL. */
const struct ynode *canh__ymap_get(const struct ynode *map, const char *key);
bool canh__ynode_is_null(const struct ynode *n);

/* Field matchers, shared across rules. */
enum mkind {
	MK_EQ,
	MK_CONTAINS,
	MK_STARTS,
	MK_ENDS,
	MK_GLOB,
	MK_RE,
	MK_CIDR,
	MK_LT,
	MK_LTE,
	MK_GT,
	MK_GTE,
	MK_EXISTS,
	MK_NULL,
	MK_FIELDREF, /* op in ref_op: MK_EQ, MK_CONTAINS, MK_STARTS, MK_ENDS */
};
#define FIELD_RAW (-1) /* keyword matchers look at the raw line */

struct matcher {
	int field;
	uint8_t kind, cased, want, ref_op;
	char *pat; /* lowered unless cased; for MK_GLOB with `wild` */
	size_t plen;
	uint8_t *wild; /* per pat byte: 0 literal, 1 '*', 2 '?' (MK_GLOB) */
	double num;
	struct canh_cidr cidr;
	pcre2_code *re;
	int ref_field;
	/* The literal the prefilter may look for (NULL: none). */
	const char *lit;
	size_t litlen;
	/* Per-event cache. */
	uint32_t stamp;
	uint8_t result;
};

/* Detection and condition trees. */
enum dkind { D_AND, D_OR, D_NOT, D_MATCH, D_TRUE, D_FALSE };
struct dnode {
	uint8_t kind;
	uint32_t m; /* D_MATCH: matcher index */
	size_t n;
	struct dnode **kids;
};

struct corr {
	int type;
	char **refs; /* names or ids */
	size_t nrefs;
	int *ref_rule;	 /* resolved rule indices */
	char **group_by; /* alias or field names */
	size_t ngroup;
	int *gfield; /* [nrefs * ngroup] field ids after aliases */
	char *value_name;
	int *vfield; /* [nrefs] value_count field per referenced rule */
	int64_t span_ms;
	int op; /* MK_LT .. MK_GTE, or MK_EQ */
	double threshold;
	bool generate;
	/* aliases: alias name -> per-rule field, kept as parsed */
	struct ynode *aliases;
	unsigned line, col;
};

struct rule {
	struct canh_sigma_rule_info info;
	char *strs[11]; /* owned strings behind info */
	struct dnode *cond;
	int lsgroup;
	bool silent;   /* referenced by correlations, none with generate: true */
	bool generate; /* some correlation over it has generate: true */
	int *corrs;    /* correlation rules fed by this one (rule indices) */
	size_t ncorrs;
	struct corr *corr; /* correlation rules only */
	unsigned doc;	   /* YAML document it came from */
	uint32_t stamp;	   /* per-event: candidate mark */
};

struct lsgroup {
	char product[CANH_EVENT_LOGSOURCE_MAX], service[CANH_EVENT_LOGSOURCE_MAX],
	    category[CANH_EVENT_LOGSOURCE_MAX];
	uint32_t stamp;
	uint8_t ok;
};

struct cgroup;
struct cslot;
struct cfree_stack;

struct canh_sigma {
	struct canh_sigma_opts opts;
	bool compiled;
	struct rule **rules;
	size_t nrules, rules_cap;
	struct matcher **m;
	size_t nm, m_cap;
	/* matcher dedup: open addressing on a serialised key */
	uint32_t *mhash; /* index + 1 */
	char **mkeys;
	size_t *mkeylen;
	size_t mhash_size;
	struct lsgroup *groups;
	size_t ngroups;
	/* prefilter */
	void *hsdb, *hsscratch;
	int **lit_rules; /* per literal id: rule indices, -1 terminated */
	size_t nlits;
	int *always; /* rules without a literal, -1 terminated */
	int *cand;
	size_t ncand;
	const struct canh_sigma_rule_info **tried;
	size_t ntried;
	/* per-event scratch */
	uint32_t gen;
	uint32_t *low_stamp;
	uint32_t *low_off;
	char *low;
	size_t low_used;
	char *lowraw;
	size_t lowraw_cap;
	uint32_t lowraw_stamp;
	pcre2_match_data *md;
	/* correlation state */
	struct cslot *cs; /* [corr_groups_max] */
	uint64_t *ctab;	  /* hash bits above CTAB_SLOT_BITS | slot + 1, 0 = empty */
	size_t ctab_size;
	uint32_t *cfree_slots;
	size_t nfree_slots;
	uint32_t lru_head, lru_tail;
	struct cfree_stack *cfree; /* per correlation rule: dropped groups kept for reuse */
	struct canh_sigma_contrib *contrib_tmp;
	char *keybuf;
	char *carena; /* first events of single-event groups (sigma_corr.c) */
	size_t carena_size, carena_pos;
	struct canh_sigma_stats st;
	canh_sigma_alert_fn alert_fn;
	void *alert_arg;
	const struct canh_event *cur_ev;
};

/* sigma_match.c */
bool canh__sigma_eval_node(struct canh_sigma *s, const struct dnode *d,
			   const struct canh_event *ev);
int canh__sigma_prefilter_build(struct canh_sigma *s, struct canh_errmsg *em);
void canh__sigma_prefilter_free(struct canh_sigma *s);
void canh__sigma_prefilter_scan(struct canh_sigma *s, const struct canh_event *ev);
/* Glob match of the pattern (pat, wild) against s. */
bool canh__sigma_glob(const char *pat, const uint8_t *wild, size_t plen, const char *s, size_t n);

/* sigma_corr.c */
void canh__sigma_corr_feed(struct canh_sigma *s, int corr_rule, int base_rule,
			   const struct canh_event *ev);
void canh__sigma_corr_init(struct canh_sigma *s);
void canh__sigma_corr_free(struct canh_sigma *s);

#endif
