/*
 * A native Sigma engine (specification v2.1.0): rules, rule collections and
 * correlation rules, loaded from YAML, compiled, and matched against
 * normalised events (canh/event.h).
 *
 * Life of an engine:
 *   s = canh_sigma_new(&opts);
 *   canh_sigma_load_path(s, "rules/sigma", report, arg, &em);  (or canh_sigma_load)
 *   canh_sigma_compile(s, &em);        resolves correlation references, builds
 *                                      the literal prefilter; no load after it
 *   for each event: canh_sigma_eval(s, &ev, on_alert, arg);
 *   canh_sigma_free(s);
 *
 * Loading reports every rule through the callback: loaded, skipped (it uses
 * something the engine does not support; the reason says what) or an error
 * (malformed YAML or an invalid rule, with line and column). A bad rule never
 * stops the others from loading; a YAML syntax error ends its file (libyaml
 * cannot resynchronise), keeping the documents before it.
 *
 * Matching: field matchers are deduplicated across rules and evaluated at most
 * once per event; a Hyperscan literal prefilter over the event's values and raw
 * line picks the rules that can match, so most events touch few rules. String
 * comparisons are case-insensitive (ASCII) unless `cased`; regular expressions
 * are PCRE2 (JIT), case-sensitive unless `re|i`. canh_sigma_eval allocates
 * nothing except when a correlation opens a new group or keeps a contributing
 * event.
 *
 * Correlations keep state per (correlation, group-by values) in a table
 * bounded by opts.corr_groups_max; state older than the timespan is evicted,
 * and when the cap bites the least recently used group goes and
 * stats.corr_evicted_cap counts it.
 *
 * Threads: an engine is used by one thread at a time (evaluation updates
 * per-event scratch space and correlation state).
 * Ownership: the engine owns everything it loads; alerts and the pointers in
 * them are valid during the callback only.
 */
#ifndef CANH_SIGMA_H
#define CANH_SIGMA_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"
#include "canh/event.h"

/* Largest rule file read by canh_sigma_load_path. */
#define CANH_SIGMA_FILE_MAX (4u << 20)

struct canh_sigma;

struct canh_sigma_opts {
	/* Values for the `expand` modifier: the name between the % signs and its values. */
	const char *const *expand_names;
	const char *const *const *expand_values; /* NULL-terminated list per name */
	size_t n_expand;
	size_t corr_groups_max; /* correlation groups kept (0: 10000) */
	size_t corr_events_max; /* contributing events kept per group (0: 10) */
};

enum canh_sigma_status {
	CANH_SIGMA_LOADED = 0,
	CANH_SIGMA_SKIPPED = 1, /* unsupported feature: reason says which */
	CANH_SIGMA_ERROR = 2,	/* malformed YAML or invalid rule: line, column, reason */
};

/* One rule's outcome at load time (strings valid during the callback). */
struct canh_sigma_report {
	const char *source; /* file name or the caller's label */
	unsigned doc;	    /* 1-based YAML document in the file */
	const char *id;	    /* rule id or "" */
	const char *title;  /* rule title or "" */
	enum canh_sigma_status status;
	unsigned line, column; /* 1-based, 0 when not known */
	const char *reason;    /* "" when loaded */
};
typedef void (*canh_sigma_report_fn)(void *arg, const struct canh_sigma_report *r);

/* A loaded rule as the outside sees it. */
struct canh_sigma_rule_info {
	const char *id, *name, *title, *level, *status, *description;
	const char *title_vi; /* canh's rules carry a Vietnamese title; "" when absent */
	const char *product, *service, *category; /* "" when not given */
	const char *source;			  /* file it came from */
	int correlation;			  /* 0, or the correlation type below */
};

enum {
	CANH_SIGMA_CORR_EVENT_COUNT = 1,
	CANH_SIGMA_CORR_VALUE_COUNT,
	CANH_SIGMA_CORR_TEMPORAL,
	CANH_SIGMA_CORR_TEMPORAL_ORDERED,
};

/* An event that contributed to a correlation (copy kept by the engine). */
struct canh_sigma_contrib {
	int64_t time_ms;
	const char *rule_id; /* the base rule it matched */
	const char *raw;     /* raw line, cut to 512 bytes */
	size_t raw_len;
};

struct canh_sigma_alert {
	const struct canh_sigma_rule_info *rule;
	const struct canh_event *event; /* the event that raised it */
	/* Correlations only: */
	const char *group; /* group-by values "Field=value, ..." ("" without group-by) */
	uint64_t value;	   /* count, distinct count, or rules seen */
	size_t ncontrib;
	const struct canh_sigma_contrib *contrib; /* oldest first */
};
typedef void (*canh_sigma_alert_fn)(void *arg, const struct canh_sigma_alert *a);

struct canh_sigma_stats {
	uint64_t events;	    /* events evaluated */
	uint64_t rules_tried;	    /* rule evaluations after the prefilter */
	uint64_t alerts;	    /* alerts raised */
	uint64_t corr_groups;	    /* correlation groups alive */
	uint64_t corr_evicted_time; /* groups dropped after their timespan */
	uint64_t corr_evicted_cap;  /* groups dropped because the table was full */
};

/* opts may be NULL. Never NULL (aborts when out of memory). */
struct canh_sigma *canh_sigma_new(const struct canh_sigma_opts *opts);
void canh_sigma_free(struct canh_sigma *s);

/*
 * Load the rules of one YAML stream (one file). `source` names it in reports
 * and alerts. Returns 0 when every document loaded or was skipped, CANH_EPARSE
 * when at least one was an error (the others are kept), CANH_EINVAL after
 * compile. report may be NULL.
 */
int canh_sigma_load(struct canh_sigma *s, const char *source, const char *yaml, size_t len,
		    canh_sigma_report_fn report, void *arg);

/*
 * Load a file, or every *.yml / *.yaml below a directory (sorted, hidden
 * entries skipped, symlinks not followed). Returns 0, CANH_EPARSE (some rules
 * had errors), or an I/O error for `path` itself with em set. A file that
 * cannot be read is reported as an error of that file.
 */
int canh_sigma_load_path(struct canh_sigma *s, const char *path, canh_sigma_report_fn report,
			 void *arg, struct canh_errmsg *em);

/*
 * Resolve correlation references and build the matcher tables. Correlations
 * whose references cannot be resolved are reported through `report` as
 * errors and dropped. Returns 0 or an error with em set (prefilter build).
 */
int canh_sigma_compile(struct canh_sigma *s, canh_sigma_report_fn report, void *arg,
		       struct canh_errmsg *em);

/* Loaded rules (after compile: only the usable ones). */
size_t canh_sigma_rule_count(const struct canh_sigma *s);
const struct canh_sigma_rule_info *canh_sigma_rule(const struct canh_sigma *s, size_t i);

/*
 * Evaluate one event (after compile): calls `alert` for each rule that
 * matches (rules referenced by a correlation without `generate: true` stay
 * silent) and for each correlation whose condition is met. Returns the number
 * of alerts.
 */
int canh_sigma_eval(struct canh_sigma *s, const struct canh_event *ev, canh_sigma_alert_fn alert,
		    void *arg);

/*
 * The rules the last canh_sigma_eval tried (passed the logsource and the
 * prefilter), in rule order; valid until the next eval.
 */
size_t canh_sigma_tried(const struct canh_sigma *s, const struct canh_sigma_rule_info *const **out);

void canh_sigma_get_stats(const struct canh_sigma *s, struct canh_sigma_stats *st);

/*
 * An alert as one JSON object (new reference): {"rule": {"id", "title",
 * "level", "source"...}, "event": canh_event_json(...), and for
 * correlations "correlation": {"type", "group", "value", "events": [...]}}.
 */
struct json_t;
struct json_t *canh_sigma_alert_json(const struct canh_sigma_alert *a);

#endif
