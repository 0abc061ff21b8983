/*
 * canh vercmp [--rpm] A B | A RELATION B | --batch
 *
 * The dpkg side follows `dpkg --compare-versions` (dpkg 1.21,
 * src/main/enquiry.c): an empty version or "<unknown>" is "no version",
 * older than any other except for the -nl relations; a version dpkg refuses
 * stops the command with exit status 2, one it only warns about is compared
 * after the same warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canh/vercmp.h"
#include "cli.h"
#include "table.h"

enum {
	O_RPM = 1,
	O_BATCH,
};

static const struct canh_cli_opt vercmp_opts[] = {
    {"rpm", 0, 0, O_RPM},
    {"batch", 0, 0, O_BATCH},
    {NULL, 0, 0, 0},
};

#define BATCH_LINE_MAX 4096

/* Exit statuses for each outcome, as dpkg's relationinfos table has them. */
struct relation {
	const char *op;
	unsigned char if_lesser, if_equal, if_greater;
	unsigned char if_none_a, if_none_both, if_none_b;
};

static const struct relation relations[] = {
    {"le", 0, 0, 1, 0, 0, 1},
    {"lt", 0, 1, 1, 0, 1, 1},
    {"eq", 1, 0, 1, 1, 0, 1},
    {"ne", 0, 1, 0, 0, 1, 0},
    {"ge", 1, 0, 0, 1, 0, 0},
    {"gt", 1, 1, 0, 1, 1, 0},
    /* An empty version is later than any version. */
    {"le-nl", 0, 0, 1, 1, 0, 0},
    {"lt-nl", 0, 1, 1, 1, 1, 0},
    {"ge-nl", 1, 0, 0, 0, 0, 1},
    {"gt-nl", 1, 1, 0, 0, 1, 1},
    /* dpkg control file syntax; dpkg still takes the obsolete "<" and ">". */
    {"<", 0, 0, 1, 0, 0, 1},
    {"<=", 0, 0, 1, 0, 0, 1},
    {"<<", 0, 1, 1, 0, 1, 1},
    {"=", 1, 0, 1, 1, 0, 1},
    {">", 1, 0, 0, 1, 0, 0},
    {">=", 1, 0, 0, 1, 0, 0},
    {">>", 1, 1, 0, 1, 1, 0},
    {NULL, 0, 0, 0, 0, 0, 0},
};

static const struct relation *find_relation(const char *op)
{
	for (const struct relation *r = relations; r->op; r++) {
		if (strcmp(r->op, op) == 0)
			return r;
	}
	return NULL;
}

/* One side of a comparison. */
struct side {
	const char *s;
	size_t len;
	int none; /* no version: "" or "<unknown>" */
	struct canh_dpkg_version v;
};

static enum canh_cli_msg_id problem_msg(enum canh_dpkg_problem p)
{
	switch (p) {
	case CANH_DPKG_ERR_EMPTY:
		return M_VERCMP_WHY_EMPTY;
	case CANH_DPKG_ERR_SPACES:
		return M_VERCMP_WHY_SPACES;
	case CANH_DPKG_ERR_EPOCH_EMPTY:
		return M_VERCMP_WHY_EPOCH_EMPTY;
	case CANH_DPKG_ERR_EPOCH_NOT_NUMBER:
		return M_VERCMP_WHY_EPOCH_NOT_NUMBER;
	case CANH_DPKG_ERR_EPOCH_NEGATIVE:
		return M_VERCMP_WHY_EPOCH_NEGATIVE;
	case CANH_DPKG_ERR_EPOCH_TOO_BIG:
		return M_VERCMP_WHY_EPOCH_TOO_BIG;
	case CANH_DPKG_ERR_NOTHING_AFTER_COLON:
		return M_VERCMP_WHY_NOTHING_AFTER_COLON;
	case CANH_DPKG_ERR_REVISION_EMPTY:
		return M_VERCMP_WHY_REVISION_EMPTY;
	case CANH_DPKG_ERR_VERSION_EMPTY:
		return M_VERCMP_WHY_VERSION_EMPTY;
	case CANH_DPKG_WARN_NOT_DIGIT:
		return M_VERCMP_WHY_NOT_DIGIT;
	case CANH_DPKG_WARN_BAD_CHAR_VERSION:
		return M_VERCMP_WHY_BAD_CHAR_VERSION;
	case CANH_DPKG_WARN_BAD_CHAR_REVISION:
	default:
		return M_VERCMP_WHY_BAD_CHAR_REVISION;
	}
}

/*
 * Prepare one side. line 0: a command-line argument, else a --batch line
 * number for the messages. Returns 0, or -1 after saying why dpkg refuses it.
 */
static int side_prepare(struct canh_cli *c, int rpm, struct side *sd, unsigned long line)
{
	enum canh_dpkg_problem problem;

	sd->none = sd->len == 0 || (!rpm && sd->len == 9 && memcmp(sd->s, "<unknown>", 9) == 0);
	if (rpm || sd->none)
		return 0;
	int rc = canh_vercmp_dpkg_parse(sd->s, sd->len, &sd->v, &problem, NULL);
	if (rc == 0)
		return 0;

	char *shown = canh_cli_sanitize(sd->s, 256);
	const char *why = canh_cli_tr(c, problem_msg(problem));
	char text[600];
	if (rc > 0) {
		if (line) {
			canh_cli_format(c, text, sizeof(text), M_VERCMP_ERR_BAD_VERSION, shown,
					why);
			canh_cli_say(c->lang, c->err, M_VERCMP_WARN_BATCH_LINE, line, text);
		} else {
			canh_cli_say(c->lang, c->err, M_VERCMP_WARN_BAD_VERSION, shown, why);
		}
	} else if (line) {
		canh_cli_format(c, text, sizeof(text), M_VERCMP_ERR_BAD_VERSION, shown, why);
		canh_cli_error(c, M_VERCMP_ERR_BATCH_LINE, line, text);
	} else {
		canh_cli_error(c, M_VERCMP_ERR_BAD_VERSION, shown, why);
	}
	free(shown);
	return rc > 0 ? 0 : -1;
}

/* -1, 0, 1; "no version" is older than any version. */
static int side_cmp(int rpm, const struct side *a, const struct side *b)
{
	if (a->none || b->none)
		return a->none && b->none ? 0 : (a->none ? -1 : 1);
	if (rpm)
		return canh_vercmp_rpm_evr_n(a->s, a->len, b->s, b->len);
	return canh_vercmp_dpkg_parsed(&a->v, &b->v);
}

static const char *verdict(int r)
{
	return r < 0 ? "<" : (r > 0 ? ">" : "=");
}

static int batch(struct canh_cli *c, int rpm, FILE *in)
{
	char buf[BATCH_LINE_MAX + 2];
	unsigned long line = 0;
	int failed = 0;

	while (fgets(buf, sizeof(buf), in)) {
		size_t n = strlen(buf);
		line++;
		if (n && buf[n - 1] == '\n') {
			buf[--n] = '\0';
		} else if (n > BATCH_LINE_MAX) {
			int ch;
			while ((ch = fgetc(in)) != EOF && ch != '\n')
				;
			canh_cli_error(c, M_VERCMP_ERR_BATCH_LINE, line,
				       canh_cli_tr(c, M_VERCMP_WHY_LONG_LINE));
			fputs("!\n", c->out);
			failed = 1;
			continue;
		}
		if (n && buf[n - 1] == '\r')
			buf[--n] = '\0';

		/* Two fields separated by spaces or tabs, nothing else. */
		struct side sd[2];
		const char *p = buf, *end = buf + n;
		int fields = 0;
		for (;;) {
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p == end)
				break;
			const char *q = p;
			while (q < end && *q != ' ' && *q != '\t')
				q++;
			if (fields < 2) {
				sd[fields].s = p;
				sd[fields].len = (size_t)(q - p);
			}
			fields++;
			p = q;
		}
		if (fields != 2) {
			canh_cli_error(c, M_VERCMP_ERR_BATCH_LINE, line,
				       canh_cli_tr(c, M_VERCMP_WHY_FIELDS));
			fputs("!\n", c->out);
			failed = 1;
			continue;
		}
		/* The fields end at a blank or the end: make each a C string for the messages. */
		((char *)sd[0].s)[sd[0].len] = '\0';
		((char *)sd[1].s)[sd[1].len] = '\0';
		if (side_prepare(c, rpm, &sd[0], line) != 0 ||
		    side_prepare(c, rpm, &sd[1], line) != 0) {
			fputs("!\n", c->out);
			failed = 1;
			continue;
		}
		fputs(verdict(side_cmp(rpm, &sd[0], &sd[1])), c->out);
		fputc('\n', c->out);
	}
	fflush(c->out);
	return failed ? CANH_CLI_EXIT_FAIL : CANH_CLI_EXIT_OK;
}

int canh_cli_cmd_vercmp(struct canh_cli *c, int argc, char **argv, int first)
{
	struct canh_cli_optparse p;
	const char *words[3];
	int nwords = 0, rpm = 0, batch_mode = 0, id, st;

	canh_cli_opt_init(&p, argc, argv, first, vercmp_opts, canh_cli_global_opts);
	for (;;) {
		if (canh_cli_next_arg(c, &p, M_USAGE_VERCMP, &id, &st))
			return st;
		if (id == CANH_OPT_END)
			break;
		if (id == CANH_OPT_POSITIONAL) {
			if (nwords == 3)
				return canh_cli_usage_error(c, M_ERR_EXTRA_ARGUMENT, p.value);
			words[nwords++] = p.value;
		} else if (id == O_RPM) {
			rpm = 1;
		} else if (id == O_BATCH) {
			batch_mode = 1;
		}
	}
	if (batch_mode) {
		if (nwords)
			return canh_cli_usage_error(c, M_VERCMP_ERR_BATCH_ARGS);
		return batch(c, rpm, stdin);
	}
	if (nwords != 2 && nwords != 3)
		return canh_cli_usage_error(c, M_VERCMP_ERR_ARGS);

	const struct relation *rel = NULL;
	if (nwords == 3) {
		rel = find_relation(words[1]);
		if (!rel)
			return canh_cli_usage_error(c, M_VERCMP_ERR_BAD_RELATION, words[1]);
		words[1] = words[2];
	}
	struct side a = {.s = words[0], .len = strlen(words[0])};
	struct side b = {.s = words[1], .len = strlen(words[1])};
	if (side_prepare(c, rpm, &a, 0) != 0 || side_prepare(c, rpm, &b, 0) != 0)
		return CANH_CLI_EXIT_USAGE;

	if (!rel) {
		fprintf(c->out, "%s\n", verdict(side_cmp(rpm, &a, &b)));
		return CANH_CLI_EXIT_OK;
	}
	if (a.none)
		return b.none ? rel->if_none_both : rel->if_none_a;
	if (b.none)
		return rel->if_none_b;
	int r = side_cmp(rpm, &a, &b);
	return r > 0 ? rel->if_greater : (r < 0 ? rel->if_lesser : rel->if_equal);
}
