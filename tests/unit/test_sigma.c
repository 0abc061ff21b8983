/*
 * The Sigma engine, tests as data (tests/data/sigma/):
 *
 *   NAME.rules.yml    rules (any number of YAML documents)
 *   NAME.events.jsonl one event per line: fields as they are, "_time" (ms),
 *                     "_raw" (raw line; the JSON line itself when absent),
 *                     "_logsource" {product, service, category}, and
 *                     "_expect": the ids of exactly the rules that must alert
 *                     on this event ([] = none), in rule order
 *   NAME.check.json   optional: the load report expected for some rules,
 *                     [{"id" or "doc", "status", "line", "column", "reason"
 *                     (a substring)}]
 *
 * Plus unit tests of the event, glob matching and correlation eviction.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "canh/decode.h"
#include "canh/event.h"
#include "canh/fs.h"
#include "canh/mem.h"
#include "canh/sigma.h"

#define DATA CANH_TEST_DATA "/sigma"

struct rep {
	char id[128];
	unsigned doc, line, col;
	int status;
	char reason[256];
};

struct reps {
	struct rep r[512];
	size_t n;
};

static void on_report(void *arg, const struct canh_sigma_report *r)
{
	struct reps *rs = arg;
	if (rs->n >= 512)
		return;
	struct rep *p = &rs->r[rs->n++];
	canh_strlcpy(p->id, r->id, sizeof(p->id));
	p->doc = r->doc;
	p->line = r->line;
	p->col = r->column;
	p->status = r->status;
	canh_strlcpy(p->reason, r->reason, sizeof(p->reason));
}

struct got {
	char ids[64][128];
	size_t n;
	uint64_t last_value;
	size_t last_ncontrib;
};

static void on_alert(void *arg, const struct canh_sigma_alert *a)
{
	struct got *g = arg;
	if (g->n < 64)
		canh_strlcpy(g->ids[g->n++], a->rule->id, sizeof(g->ids[0]));
	g->last_value = a->value;
	g->last_ncontrib = a->ncontrib;
	/* The JSON form must always build. */
	json_t *j = canh_sigma_alert_json(a);
	assert_non_null(j);
	json_decref(j);
}

static void set_fields(struct canh_event *ev, json_t *o)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (k[0] == '_')
			continue;
		char num[64];
		if (json_is_string(v)) {
			assert_int_equal(
			    canh_event_set_name(ev, k, json_string_value(v), json_string_length(v)),
			    0);
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			assert_int_equal(canh_event_set_name(ev, k, num, strlen(num)), 0);
		} else if (json_is_real(v)) {
			snprintf(num, sizeof(num), "%g", json_real_value(v));
			assert_int_equal(canh_event_set_name(ev, k, num, strlen(num)), 0);
		} else if (json_is_boolean(v)) {
			assert_int_equal(canh_event_set_name(ev, k,
							     json_is_true(v) ? "true" : "false",
							     json_is_true(v) ? 4 : 5),
					 0);
		}
	}
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int status_of(const char *s)
{
	if (strcmp(s, "ok") == 0)
		return CANH_SIGMA_LOADED;
	if (strcmp(s, "skipped") == 0)
		return CANH_SIGMA_SKIPPED;
	return CANH_SIGMA_ERROR;
}

static const char *const expand_names[] = {"admins"};
static const char *const admin_values[] = {"root", "administrator", NULL};
static const char *const *const expand_values[] = {admin_values};

/* Run one NAME: load, compare the report, replay the events. */
static void run_case(const char *name)
{
	char path[512];
	struct reps *rs = canh_xcalloc(1, sizeof(*rs));
	struct canh_sigma_opts o = {
	    .expand_names = expand_names,
	    .expand_values = expand_values,
	    .n_expand = 1,
	    .corr_groups_max = 4,
	    .corr_events_max = 3,
	};
	struct canh_sigma *s = canh_sigma_new(&o);
	snprintf(path, sizeof(path), "%s/%s.rules.yml", DATA, name);
	canh_sigma_load_path(s, path, on_report, rs, NULL);
	struct canh_errmsg em;
	assert_int_equal(canh_sigma_compile(s, on_report, rs, &em), 0);

	snprintf(path, sizeof(path), "%s/%s.check.json", DATA, name);
	json_t *check = json_load_file(path, 0, NULL);
	if (check) {
		size_t i;
		json_t *c;
		json_array_foreach(check, i, c)
		{
			const char *id = jstr(c, "id");
			json_int_t doc = json_integer_value(json_object_get(c, "doc"));
			const struct rep *found = NULL;
			/* The last report counts: compile may overrule load. */
			for (size_t k = 0; k < rs->n; k++) {
				if ((id && strcmp(rs->r[k].id, id) == 0) ||
				    (!id && rs->r[k].doc == (unsigned)doc))
					found = &rs->r[k];
			}
			if (!found)
				fail_msg("%s: no report for %s", name, id ? id : "doc");
			int want = status_of(jstr(c, "status"));
			if (found->status != want)
				fail_msg("%s: %s: status %d, want %d (%s)", name, id ? id : "doc",
					 found->status, want, found->reason);
			json_t *l = json_object_get(c, "line");
			if (l)
				assert_int_equal(found->line, json_integer_value(l));
			json_t *col = json_object_get(c, "column");
			if (col)
				assert_int_equal(found->col, json_integer_value(col));
			const char *why = jstr(c, "reason");
			if (why && !strstr(found->reason, why))
				fail_msg("%s: %s: reason '%s' lacks '%s'", name, id ? id : "doc",
					 found->reason, why);
		}
		json_decref(check);
	} else {
		/* Without a check file every rule must load. */
		for (size_t k = 0; k < rs->n; k++) {
			if (rs->r[k].status != CANH_SIGMA_LOADED)
				fail_msg("%s: rule %s: %s (%u:%u)", name, rs->r[k].id,
					 rs->r[k].reason, rs->r[k].line, rs->r[k].col);
		}
	}

	snprintf(path, sizeof(path), "%s/%s.events.jsonl", DATA, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	struct canh_event ev;
	canh_event_init(&ev);
	char line[8192];
	unsigned long lineno = 0;
	size_t checked = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strcspn(line, "\n");
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		json_error_t je;
		json_t *e = json_loads(line, 0, &je);
		if (!e)
			fail_msg("%s.events.jsonl:%lu: %s", name, lineno, je.text);
		canh_event_reset(&ev);
		json_t *ls = json_object_get(e, "_logsource");
		canh_event_set_logsource(&ev, ls ? jstr(ls, "product") : "test",
					 ls ? jstr(ls, "service") : NULL,
					 ls ? jstr(ls, "category") : NULL);
		json_t *t = json_object_get(e, "_time");
		ev.time_ms = json_is_integer(t) ? json_integer_value(t) : 1;
		const char *raw = jstr(e, "_raw");
		canh_event_set_raw(&ev, raw ? raw : line, raw ? strlen(raw) : len);
		set_fields(&ev, e);
		struct got g = {0};
		canh_sigma_eval(s, &ev, on_alert, &g);
		json_t *want = json_object_get(e, "_expect");
		if (!json_is_array(want))
			fail_msg("%s.events.jsonl:%lu: no _expect", name, lineno);
		bool same = json_array_size(want) == g.n;
		for (size_t i = 0; same && i < g.n; i++)
			same = strcmp(json_string_value(json_array_get(want, i)), g.ids[i]) == 0;
		if (!same) {
			char gotbuf[1024] = "";
			for (size_t i = 0; i < g.n; i++) {
				strncat(gotbuf, g.ids[i], sizeof(gotbuf) - strlen(gotbuf) - 2);
				strncat(gotbuf, " ", sizeof(gotbuf) - strlen(gotbuf) - 1);
			}
			char *w = json_dumps(want, JSON_COMPACT);
			fail_msg("%s.events.jsonl:%lu: alerts [%s], expected %s", name, lineno,
				 gotbuf, w);
		}
		json_t *wv = json_object_get(e, "_value");
		if (wv)
			assert_int_equal(g.last_value, json_integer_value(wv));
		json_t *wc = json_object_get(e, "_contrib");
		if (wc)
			assert_int_equal(g.last_ncontrib, json_integer_value(wc));
		json_t *we = json_object_get(e, "_evicted_cap");
		if (we) {
			struct canh_sigma_stats st;
			canh_sigma_get_stats(s, &st);
			assert_int_equal(st.corr_evicted_cap, json_integer_value(we));
		}
		json_decref(e);
		checked++;
	}
	fclose(f);
	assert_true(checked > 0);
	canh_event_release(&ev);
	canh_sigma_free(s);
	free(rs);
}

static void test_cases(void **state)
{
	DIR *d = opendir(DATA);
	assert_non_null(d);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l > 10 && strcmp(e->d_name + l - 10, ".rules.yml") == 0) {
			char name[256];
			snprintf(name, sizeof(name), "%.*s", (int)(l - 10), e->d_name);
			print_message("case %s\n", name);
			run_case(name);
			n++;
		}
	}
	closedir(d);
	assert_true(n >= 5);
}

static void test_event(void **state)
{
	struct canh_event ev;
	canh_event_init(&ev);
	int a = canh_field_id("CommandLine"), b = canh_field_id("Image");
	assert_true(a >= 0 && b >= 0 && a != b);
	assert_int_equal(canh_field_id("CommandLine"), a);
	assert_int_equal(canh_field_lookup("Image", 5), b);
	assert_int_equal(canh_field_lookup("NeverSeenField", 14), -1);
	assert_string_equal(canh_field_name(a), "CommandLine");
	assert_int_equal(canh_field_id(""), CANH_EINVAL);
	assert_int_equal(canh_event_set(&ev, a, "ls -l", 5), 0);
	assert_int_equal(canh_event_set(&ev, a, "ls -la", 6), 0);
	size_t len;
	const char *v = canh_event_get(&ev, a, &len);
	assert_int_equal(len, 6);
	assert_memory_equal(v, "ls -la", 6);
	assert_int_equal(ev.nfields, 1);
	assert_null(canh_event_get(&ev, b, &len));
	assert_int_equal(canh_event_set_int(&ev, b, 4625), 0);
	double d;
	assert_int_equal(canh_event_get_num(&ev, b, &d), 0);
	assert_true(d == 4625);
	assert_int_equal(canh_event_get_num(&ev, a, &d), CANH_EINVAL);
	canh_event_reset(&ev);
	assert_null(canh_event_get(&ev, a, &len));
	assert_int_equal(ev.nfields, 0);
	/* The buffer cap: a value too large is refused, the rest kept. */
	char *big = canh_xmalloc(CANH_EVENT_BUF_MAX);
	memset(big, 'x', CANH_EVENT_BUF_MAX);
	assert_int_equal(canh_event_set(&ev, b, "1", 1), 0);
	assert_int_equal(canh_event_set(&ev, a, big, CANH_EVENT_BUF_MAX), CANH_ETOOBIG);
	assert_non_null(canh_event_get(&ev, b, &len));
	free(big);
	json_t *j = canh_event_json(&ev);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "fields"), "Image")), "1");
	json_decref(j);
	canh_event_release(&ev);
}

static void test_malformed_yaml(void **state)
{
	struct reps rs = {0};
	struct canh_sigma *s = canh_sigma_new(NULL);
	const char *y =
	    "title: ok\nlogsource: {product: test}\ndetection:\n  sel: {a: b}\n  "
	    "condition: sel\n---\ntitle: bad\ndetection:\n  sel: [a, b\n  condition: sel\n";
	assert_int_equal(canh_sigma_load(s, "inline", y, strlen(y), on_report, &rs), CANH_EPARSE);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.r[0].status, CANH_SIGMA_LOADED);
	assert_int_equal(rs.r[1].status, CANH_SIGMA_ERROR);
	assert_int_equal(rs.r[1].line, 10);
	assert_true(rs.r[1].col > 0);
	assert_int_equal(canh_sigma_compile(s, NULL, NULL, NULL), 0);
	assert_int_equal(canh_sigma_rule_count(s), 1);
	canh_sigma_free(s);
}

static void count_alert(void *arg, const struct canh_sigma_alert *a)
{
	if (a->rule->correlation)
		(*(size_t *)arg)++;
}

/*
 * The correlation table under churn: 1,000 sources each failing 3 times
 * within 1 s, interleaved (one step every 20 ms) so that about 100 groups are
 * alive at once (a group lives until 1 s after its last event). With room for
 * 160 groups every source alerts and nothing is evicted by the cap; with room
 * for 16 the cap bites, is counted, and fewer alerts come.
 */
static size_t churn(size_t cap, uint64_t *evicted)
{
	const char *y = "title: f\nid: f\nname: f\nlogsource: {product: test}\ndetection:\n"
			"  sel: {Outcome: failure}\n  condition: sel\n---\ntitle: bf\nid: bf\n"
			"correlation:\n  type: event_count\n  rules: [f]\n  group-by: [SourceIp]\n"
			"  timespan: 1s\n  condition: {gte: 3}\n";
	struct canh_sigma_opts o = {.corr_groups_max = cap};
	struct canh_sigma *s = canh_sigma_new(&o);
	assert_int_equal(canh_sigma_load(s, "inline", y, strlen(y), NULL, NULL), 0);
	assert_int_equal(canh_sigma_compile(s, NULL, NULL, NULL), 0);
	struct canh_event ev;
	canh_event_init(&ev);
	size_t alerts = 0;
	int ip = canh_field_id("SourceIp"), out = canh_field_id("Outcome");
	for (size_t step = 0; step < 1000 + 50 * 2; step++) {
		/* At each step source `step` fails for the first time, step-25 for the second,
		 * step-50 for the third. */
		for (size_t k = 0; k < 3; k++) {
			if (step < k * 25 || step - k * 25 >= 1000)
				continue;
			char a[32];
			snprintf(a, sizeof(a), "10.0.%zu.%zu", (step - k * 25) / 250,
				 (step - k * 25) % 250);
			canh_event_reset(&ev);
			canh_event_set_logsource(&ev, "test", NULL, NULL);
			ev.time_ms = 1000000 + (int64_t)step * 20;
			canh_event_set_str(&ev, ip, a);
			canh_event_set_str(&ev, out, "failure");
			canh_sigma_eval(s, &ev, count_alert, &alerts);
		}
	}
	struct canh_sigma_stats st;
	canh_sigma_get_stats(s, &st);
	*evicted = st.corr_evicted_cap;
	canh_event_release(&ev);
	canh_sigma_free(s);
	return alerts;
}

static void test_correlation_churn(void **state)
{
	uint64_t ev;
	assert_int_equal(churn(160, &ev), 1000);
	assert_int_equal(ev, 0);
	size_t n = churn(16, &ev);
	assert_true(n < 1000);
	assert_true(ev > 0);
}

/* Alert catcher for the one-event record test: the first contributing raw line. */
struct first_seen {
	size_t alerts;
	size_t ncontrib;
	char first[64];
};

static void catch_first(void *arg, const struct canh_sigma_alert *a)
{
	struct first_seen *f = arg;
	f->alerts++;
	f->ncontrib = a->ncontrib;
	f->first[0] = '\0';
	if (a->ncontrib && a->contrib[0].raw_len < sizeof(f->first)) {
		memcpy(f->first, a->contrib[0].raw, a->contrib[0].raw_len);
		f->first[a->contrib[0].raw_len] = '\0';
	}
}

/*
 * A group's first event is kept as a compact record until its second event:
 * with the table full of younger one-event groups (cap - 1 of them opened
 * after it, many times round the record ring), the group still alerts on its
 * third event and its first contributing event is the right raw line; one
 * more new group and it is evicted.
 */
static void test_correlation_first_event(void **state)
{
	const char *y = "title: f\nid: f\nname: f\nlogsource: {product: test}\ndetection:\n"
			"  sel: {Outcome: failure}\n  condition: sel\n---\ntitle: bf\nid: bf\n"
			"correlation:\n  type: event_count\n  rules: [f]\n  group-by: [SourceIp]\n"
			"  timespan: 1h\n  condition: {gte: 3}\n";
	enum { CAP = 8 };
	struct canh_sigma_opts o = {.corr_groups_max = CAP};
	struct canh_sigma *s = canh_sigma_new(&o);
	assert_int_equal(canh_sigma_load(s, "inline", y, strlen(y), NULL, NULL), 0);
	assert_int_equal(canh_sigma_compile(s, NULL, NULL, NULL), 0);
	struct canh_event ev;
	canh_event_init(&ev);
	int ip = canh_field_id("SourceIp"), out = canh_field_id("Outcome");
	struct first_seen f = {0};
	char raw[64], a[32];
	unsigned n = 0;
#define FAIL(addr)                                                                                 \
	do {                                                                                       \
		canh_event_reset(&ev);                                                             \
		canh_event_set_logsource(&ev, "test", NULL, NULL);                                 \
		ev.time_ms = 1000000 + n;                                                          \
		snprintf(raw, sizeof(raw), "line %u from %s", n++, (addr));                        \
		canh_event_set_raw(&ev, raw, strlen(raw));                                         \
		canh_event_set_str(&ev, ip, (addr));                                               \
		canh_event_set_str(&ev, out, "failure");                                           \
		canh_sigma_eval(s, &ev, catch_first, &f);                                          \
	} while (0)
	for (unsigned round = 0; round < 50; round++) {
		char first[64];
		snprintf(a, sizeof(a), "10.1.%u.1", round);
		FAIL(a);
		snprintf(first, sizeof(first), "%s", raw);
		for (unsigned k = 0; k < CAP - 1; k++) {
			char b[32];
			snprintf(b, sizeof(b), "10.2.%u.%u", round, k);
			FAIL(b);
		}
		size_t before = f.alerts;
		snprintf(a, sizeof(a), "10.1.%u.1", round);
		FAIL(a);
		FAIL(a);
		assert_int_equal(f.alerts, before + 1);
		assert_int_equal(f.ncontrib, 3);
		assert_string_equal(f.first, first);
	}
	/* A source pushed out by CAP newer groups starts again from one event. */
	FAIL("10.3.0.1");
	for (unsigned k = 0; k < CAP; k++) {
		snprintf(a, sizeof(a), "10.4.0.%u", k);
		FAIL(a);
	}
	size_t before = f.alerts;
	FAIL("10.3.0.1");
	FAIL("10.3.0.1");
	assert_int_equal(f.alerts, before);
#undef FAIL
	struct canh_sigma_stats st;
	canh_sigma_get_stats(s, &st);
	assert_true(st.corr_evicted_cap > 0);
	canh_event_release(&ev);
	canh_sigma_free(s);
}

/* Rule ids that alerted, space-separated. */
static void collect_ids(void *arg, const struct canh_sigma_alert *a)
{
	char *ids = arg;
	size_t n = strlen(ids);
	snprintf(ids + n, 256 - n, "%s ", a->rule->id);
}

/*
 * Logsource routing: a decoded sshd line (service sshd) fires a SigmaHQ-style
 * rule for `product: linux, service: auth` (auth.log) and one for
 * `service: sshd`, not one for `service: sudo` nor one for `service: syslog`;
 * a sudo line fires the auth rule and not the sshd one.
 */
static void test_service_routing(void **state)
{
	const char *y = "title: a\nid: r-auth\nlogsource: {product: linux, service: auth}\n"
			"detection:\n  k: ['Failed password', 'COMMAND=']\n  condition: k\n---\n"
			"title: s\nid: r-sshd\nlogsource: {product: linux, service: sshd}\n"
			"detection:\n  k: 'Failed password'\n  condition: k\n---\n"
			"title: u\nid: r-sudo\nlogsource: {product: linux, service: sudo}\n"
			"detection:\n  k: 'Failed password'\n  condition: k\n---\n"
			"title: y\nid: r-syslog\nlogsource: {product: linux, service: syslog}\n"
			"detection:\n  k: 'Failed password'\n  condition: k\n";
	struct canh_sigma *s = canh_sigma_new(NULL);
	assert_int_equal(canh_sigma_load(s, "inline", y, strlen(y), NULL, NULL), 0);
	assert_int_equal(canh_sigma_compile(s, NULL, NULL, NULL), 0);
	const char *lines[2] = {
	    "Nov 21 10:00:00 srv1 sshd[42]: Failed password for root from 203.0.113.9 port 4242 "
	    "ssh2",
	    "Nov 21 10:00:01 srv1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
	    "COMMAND=/usr/bin/id"};
	const char *want[2] = {"r-auth r-sshd ", "r-auth "};
	const char *svc[2] = {"sshd", "sudo"};
	struct canh_decoder_ctx ctx;
	canh_decoder_init(&ctx);
	struct canh_log_source src = {.path = "/var/log/syslog", .recv_ms = 1763719200000};
	struct canh_event ev;
	canh_event_init(&ev);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
		    canh_decode_line(&ctx, lines[i], strlen(lines[i]), CANH_LOG_SYSLOG, &src, &ev),
		    CANH_DECODE_EVENT);
		assert_string_equal(ev.service, svc[i]);
		assert_true(canh_event_has_service(&ev, "auth"));
		assert_true(canh_event_has_service(&ev, "AUTH"));
		assert_false(canh_event_has_service(&ev, "syslog"));
		char ids[256] = "";
		canh_sigma_eval(s, &ev, collect_ids, ids);
		assert_string_equal(ids, want[i]);
	}
	assert_null(canh_event_service_parent("cron"));
	canh_event_release(&ev);
	canh_decoder_release(&ctx);
	canh_sigma_free(s);
}

/* The 210 public SigmaHQ Linux rules, when the shared bench data is there. */
static void test_public_linux_rules(void **state)
{
	const char *dir = CANH_TEST_DATA "/../../../shared/bench-data/sigma-linux/rules/linux";
	DIR *d = opendir(dir);
	if (!d) {
		print_message("skipped: %s not present\n", dir);
		skip();
	}
	closedir(d);
	struct reps *rs = canh_xcalloc(1, sizeof(*rs));
	struct canh_sigma *s = canh_sigma_new(NULL);
	canh_sigma_load_path(s, dir, on_report, rs, NULL);
	assert_int_equal(canh_sigma_compile(s, on_report, rs, NULL), 0);
	size_t loaded = 0, errors = 0;
	for (size_t i = 0; i < rs->n; i++) {
		loaded += rs->r[i].status == CANH_SIGMA_LOADED;
		errors += rs->r[i].status == CANH_SIGMA_ERROR;
	}
	print_message("public linux rules: %zu reported, %zu loaded, %zu errors\n", rs->n, loaded,
		      errors);
	assert_true(rs->n >= 200);
	assert_int_equal(errors, 0);
	assert_true(loaded >= rs->n - 5);
	canh_sigma_free(s);
	free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event),
	    cmocka_unit_test(test_malformed_yaml),
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_correlation_churn),
	    cmocka_unit_test(test_correlation_first_event),
	    cmocka_unit_test(test_service_routing),
	    cmocka_unit_test(test_public_linux_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
