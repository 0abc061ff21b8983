/*
 * canh logtest [--rules DIR|FILE]... [--format FORMAT] [--logsource SPEC]
 *              [--explain] [--stats] [--expand NAME=V,...] [FILE...]
 *
 * Replays log lines through the decoders (canh/decode.h) and the Sigma engine
 * (canh/sigma.h) and prints each alert as one JSON object per line, with the
 * input line number ("line") added — ossec-logtest -a in spirit.
 *
 * --format json: one event object per line, fields used as they are (nested
 * objects flattened with '.', numbers and booleans as their JSON text, arrays
 * and nulls left out); "_time" (Unix ms), "_host" and "_logsource" ({product,
 * service, category}) set the event's own parts; --logsource gives the
 * logsource of every event.
 *
 * Input is read in 1 MiB blocks and split in place; events are reused, so
 * nothing is allocated per line (the JSON format aside).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "canh/decode.h"
#include "canh/mem.h"
#include "canh/sigma.h"
#include "cli.h"
#include "logs_common.h"

enum {
	O_RULES = 1,
	O_FORMAT,
	O_LOGSOURCE,
	O_EXPLAIN,
	O_STATS,
	O_EXPAND,
};

static const struct canh_cli_opt logtest_opts[] = {
    {"rules", 'r', 1, O_RULES},
    {"format", 'f', 1, O_FORMAT},
    {"logsource", 0, 1, O_LOGSOURCE},
    {"explain", 0, 0, O_EXPLAIN},
    {"stats", 0, 0, O_STATS},
    {"expand", 0, 1, O_EXPAND},
    {NULL, 0, 0, 0},
};

#define BLOCK (1u << 20)
#define RULE_PATHS_MAX 64
#define JSON_DEPTH_MAX 8

struct logtest {
	struct canh_cli *c;
	struct canh_sigma *s;
	struct canh_decoder_ctx dec;
	bool json_fmt, explain;
	enum canh_log_format fmt;
	char product[CANH_EVENT_LOGSOURCE_MAX], service[CANH_EVENT_LOGSOURCE_MAX],
	    category[CANH_EVENT_LOGSOURCE_MAX];
	struct canh_event ev;
	const char *name; /* current input, for messages */
	unsigned long lineno;
	unsigned long long lines, events, alerts;
	int rules_failed;
};

static void on_rule(void *arg, const struct canh_sigma_report *r)
{
	struct logtest *t = arg;
	if (r->status == CANH_SIGMA_ERROR) {
		char where[600];
		if (r->line)
			snprintf(where, sizeof(where), "%s:%u:%u", r->source, r->line, r->column);
		else
			snprintf(where, sizeof(where), "%s", r->source);
		canh_cli_error(t->c, M_LOGTEST_ERR_RULE, where, r->id[0] ? r->id : r->title,
			       r->reason);
		t->rules_failed++;
	}
}

static void print_json_line(FILE *f, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, f);
		fputc('\n', f);
		free(s);
	}
}

static void on_alert(void *arg, const struct canh_sigma_alert *a)
{
	struct logtest *t = arg;
	json_t *o = canh_sigma_alert_json(a);
	json_object_set_new(o, "line", json_integer((json_int_t)t->lineno));
	if (t->name)
		json_object_set_new(o, "file", json_string(t->name));
	print_json_line(t->c->out, o);
	json_decref(o);
	t->alerts++;
}

static void explain(struct logtest *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "line", json_integer((json_int_t)t->lineno));
	json_object_set_new(o, "event", canh_event_json(&t->ev));
	json_t *tried = json_array();
	const struct canh_sigma_rule_info *const *r;
	size_t n = canh_sigma_tried(t->s, &r);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(tried, json_string(r[i]->id[0] ? r[i]->id : r[i]->title));
	json_object_set_new(o, "tried", tried);
	print_json_line(t->c->err, o);
	json_decref(o);
}

static void eval(struct logtest *t)
{
	t->events++;
	canh_sigma_eval(t->s, &t->ev, on_alert, t);
	if (t->explain)
		explain(t);
}

/* Flatten a JSON object into event fields. */
static void json_fields(struct canh_event *ev, json_t *obj, char *prefix, size_t plen, int depth)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		if (depth == 0 && k[0] == '_' &&
		    (strcmp(k, "_time") == 0 || strcmp(k, "_host") == 0 ||
		     strcmp(k, "_logsource") == 0))
			continue;
		size_t kl = strlen(k);
		if (plen + kl + 2 > CANH_FIELD_NAME_MAX)
			continue;
		memcpy(prefix + plen, k, kl + 1);
		char num[64];
		switch (json_typeof(v)) {
		case JSON_STRING:
			canh_event_set_name(ev, prefix, json_string_value(v),
					    json_string_length(v));
			break;
		case JSON_INTEGER:
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			canh_event_set_name(ev, prefix, num, strlen(num));
			break;
		case JSON_REAL:
			snprintf(num, sizeof(num), "%.17g", json_real_value(v));
			canh_event_set_name(ev, prefix, num, strlen(num));
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			canh_event_set_name(ev, prefix, json_is_true(v) ? "true" : "false",
					    json_is_true(v) ? 4 : 5);
			break;
		case JSON_OBJECT:
			if (depth < JSON_DEPTH_MAX) {
				prefix[plen + kl] = '.';
				prefix[plen + kl + 1] = '\0';
				json_fields(ev, v, prefix, plen + kl + 1, depth + 1);
			}
			break;
		default:
			break;
		}
		prefix[plen] = '\0';
	}
}

static const char *jget_str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void json_line(struct logtest *t, const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == len)
		return;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		canh_cli_say(t->c->lang, t->c->err, M_LOGTEST_WARN_JSON, t->lineno,
			     t->name ? t->name : "-");
		fputc('\n', t->c->err);
		return;
	}
	canh_event_reset(&t->ev);
	canh_event_set_logsource(&t->ev, t->product, t->service, t->category);
	json_t *ls = json_object_get(o, "_logsource");
	if (json_is_object(ls))
		canh_event_set_logsource(&t->ev, jget_str(ls, "product"), jget_str(ls, "service"),
					 jget_str(ls, "category"));
	json_t *tm = json_object_get(o, "_time");
	if (json_is_integer(tm))
		t->ev.time_ms = json_integer_value(tm);
	const char *host = jget_str(o, "_host");
	if (host)
		canh_event_set_host(&t->ev, host, strlen(host));
	canh_event_set_raw(&t->ev, line, len);
	char prefix[CANH_FIELD_NAME_MAX + 2] = "";
	json_fields(&t->ev, o, prefix, 0, 0);
	eval(t);
	json_decref(o);
}

static void one_line(struct logtest *t, const char *line, size_t len,
		     const struct canh_log_source *src)
{
	t->lines++;
	t->lineno++;
	if (len > CANH_DECODE_LINE_MAX)
		len = CANH_DECODE_LINE_MAX;
	if (t->json_fmt) {
		json_line(t, line, len);
		return;
	}
	if (canh_decode_line(&t->dec, line, len, t->fmt, src, &t->ev) == CANH_DECODE_EVENT)
		eval(t);
	while (canh_decode_next(&t->dec, &t->ev) == CANH_DECODE_EVENT)
		eval(t);
}

/* A whole file that is one Windows event (or an array of them), pretty-printed. */
static bool whole_json(struct logtest *t, const char *buf, size_t len,
		       const struct canh_log_source *src)
{
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (i == len || (buf[i] != '{' && buf[i] != '['))
		return false;
	json_t *j = json_loadb(buf, len, 0, NULL);
	if (!j)
		return false;
	json_t *arr = json_is_array(j) ? j : json_array();
	if (!json_is_array(j))
		json_array_append(arr, j);
	size_t k;
	json_t *v;
	json_array_foreach(arr, k, v)
	{
		char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (s)
			one_line(t, s, strlen(s), src);
		free(s);
	}
	if (arr != j)
		json_decref(arr);
	json_decref(j);
	return true;
}

static int run_input(struct logtest *t, const char *path)
{
	int fd = 0;
	struct canh_log_source src = {0};
	src.path = path;
	t->name = path;
	t->lineno = 0;
	if (path) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			canh_cli_error(t->c, M_LOGTEST_ERR_INPUT, path, strerror(errno));
			return CANH_CLI_EXIT_FAIL;
		}
	}
	char *buf = canh_xmalloc(BLOCK + CANH_DECODE_LINE_MAX + 1);
	size_t have = 0;
	bool first = true, skipping = false;
	int status = 0;
	for (;;) {
		ssize_t r = read(fd, buf + have, BLOCK + CANH_DECODE_LINE_MAX - have);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			canh_cli_error(t->c, M_LOGTEST_ERR_INPUT, path ? path : "-",
				       strerror(errno));
			status = CANH_CLI_EXIT_FAIL;
			break;
		}
		have += (size_t)r;
		if (first && t->fmt == CANH_LOG_WINDOWS_JSON && !t->json_fmt && r > 0 &&
		    (size_t)r < BLOCK && have < BLOCK) {
			/* Small enough to be read at once: maybe one pretty-printed event. */
			ssize_t more = read(fd, buf + have, 1);
			if (more == 0 && memchr(buf, '\n', have) &&
			    whole_json(t, buf, have, &src)) {
				have = 0;
				break;
			}
			if (more > 0)
				have += (size_t)more;
		}
		first = false;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			if (!nl)
				break;
			size_t len = (size_t)(nl - (buf + start));
			if (!skipping)
				one_line(t, buf + start, len, &src);
			skipping = false;
			start += len + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (r == 0)
			break;
		if (have >= CANH_DECODE_LINE_MAX) {
			/* An over-long line: decode its start, drop the rest up to the newline. */
			if (!skipping)
				one_line(t, buf, CANH_DECODE_LINE_MAX, &src);
			skipping = true;
			have = 0;
		}
	}
	if (have && !skipping)
		one_line(t, buf, have, &src);
	free(buf);
	if (path)
		close(fd);
	return status;
}

static int parse_logsource(struct logtest *t, const char *spec)
{
	char tmp[512];
	if (canh_strlcpy(tmp, spec, sizeof(tmp)) >= sizeof(tmp))
		return -1;
	char *save = NULL;
	for (char *part = strtok_r(tmp, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(part, ':');
		if (!colon)
			return -1;
		*colon = '\0';
		const char *v = colon + 1;
		if (strcmp(part, "product") == 0)
			canh_strlcpy(t->product, v, sizeof(t->product));
		else if (strcmp(part, "service") == 0)
			canh_strlcpy(t->service, v, sizeof(t->service));
		else if (strcmp(part, "category") == 0)
			canh_strlcpy(t->category, v, sizeof(t->category));
		else
			return -1;
	}
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int canh_cli_cmd_logtest(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	struct logtest *t = canh_xcalloc(1, sizeof(*t));
	struct canh_logs_expand ex;
	const char *rules[RULE_PATHS_MAX];
	size_t nrules = 0, ninputs = 0;
	const char **inputs = canh_xcalloc((size_t)argc + 1, sizeof(*inputs));
	bool stats = false;
	int id, st, status = CANH_CLI_EXIT_OK;

	t->c = c;
	canh_logs_expand_init(&ex);
	canh_cli_opt_init(&p, argc, argv, first, logtest_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_LOGTEST, &id, &st)) {
			status = st;
			goto out;
		}
		if (id == CANH_OPT_END)
			break;
		switch (id) {
		case CANH_OPT_POSITIONAL:
			inputs[ninputs++] = strcmp(p.value, "-") == 0 ? NULL : p.value;
			break;
		case O_RULES:
			if (nrules < RULE_PATHS_MAX)
				rules[nrules++] = p.value;
			break;
		case O_FORMAT:
			if (strcmp(p.value, "json") == 0) {
				t->json_fmt = true;
			} else if (canh_log_format_parse(p.value, &t->fmt) < 0) {
				status = canh_cli_usage_error(c, M_LOGTEST_ERR_FORMAT, p.value);
				goto out;
			}
			break;
		case O_LOGSOURCE:
			if (parse_logsource(t, p.value) < 0) {
				status = canh_cli_usage_error(c, M_LOGTEST_ERR_LOGSOURCE, p.value);
				goto out;
			}
			break;
		case O_EXPLAIN:
			t->explain = true;
			break;
		case O_STATS:
			stats = true;
			break;
		case O_EXPAND:
			if (canh_logs_expand_add(&ex, p.value) < 0) {
				status = canh_cli_usage_error(c, M_LOGTEST_ERR_EXPAND, p.value);
				goto out;
			}
			break;
		default:
			break;
		}
	}
	if (nrules == 0) {
		const char *d = canh_logs_default_rules();
		if (!d) {
			canh_cli_error(c, M_LOGTEST_ERR_NO_RULES);
			status = CANH_CLI_EXIT_FAIL;
			goto out;
		}
		rules[nrules++] = d;
	}
	struct canh_sigma_opts so = {0};
	canh_logs_expand_opts(&ex, &so);
	t->s = canh_sigma_new(&so);
	for (size_t i = 0; i < nrules; i++) {
		struct canh_errmsg em = {{0}};
		int rc = canh_sigma_load_path(t->s, rules[i], on_rule, t, &em);
		if (rc < 0 && rc != CANH_EPARSE) {
			canh_cli_error(c, M_LOGTEST_ERR_RULES, rules[i], em.text);
			status = CANH_CLI_EXIT_FAIL;
			goto out;
		}
	}
	struct canh_errmsg em = {{0}};
	if (canh_sigma_compile(t->s, on_rule, t, &em) < 0) {
		canh_cli_error(c, M_LOGTEST_ERR_COMPILE, em.text);
		status = CANH_CLI_EXIT_FAIL;
		goto out;
	}
	canh_event_init(&t->ev);
	canh_decoder_init(&t->dec);
	double cpu0 = cpu_seconds();
	if (ninputs == 0)
		status = run_input(t, NULL);
	for (size_t i = 0; i < ninputs && status == 0; i++)
		status = run_input(t, inputs[i]);
	if (!t->json_fmt) {
		t->lineno = 0;
		while (canh_decode_finish(&t->dec, &t->ev) == CANH_DECODE_EVENT)
			eval(t);
	}
	fflush(c->out);
	if (stats) {
		double cpu = cpu_seconds() - cpu0;
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		struct canh_sigma_stats ss;
		canh_sigma_get_stats(t->s, &ss);
		canh_cli_say(c->lang, c->err, M_LOGTEST_STATS, t->lines, t->events, t->alerts,
			     canh_sigma_rule_count(t->s), (unsigned long long)ss.rules_tried, cpu,
			     cpu > 0 ? (double)t->lines / cpu : 0.0, ru.ru_maxrss);
		canh_cli_say(c->lang, c->err, M_LOGTEST_STATS_CORR,
			     (unsigned long long)ss.corr_groups,
			     (unsigned long long)ss.corr_evicted_time,
			     (unsigned long long)ss.corr_evicted_cap);
	}
	canh_decoder_release(&t->dec);
	canh_event_release(&t->ev);
out:
	canh_sigma_free(t->s);
	canh_logs_expand_release(&ex);
	free(inputs);
	free(t);
	return status;
}
