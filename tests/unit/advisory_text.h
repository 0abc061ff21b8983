/*
 * Tests' view of an advisory: one line of text, so a parser's output can be
 * checked as data (tests/unit/test_advisory*.c).
 *
 *   ID sev=S [cvss=N.N] [aliases=A,B] | ECO[:REL]/PKG[(src)] STATUS [fix=V]
 *   [urg=U] [TYPE:i=0,f=1.2] [v=1.0,1.1] | ...
 */
#ifndef CANH_TEST_ADVISORY_TEXT_H
#define CANH_TEST_ADVISORY_TEXT_H

#include "canh/advisory.h"
#include "canh/buf.h"

static const char *const adv_status_names[] = {"AFFECTED", "FIXED", "NOT_AFFECTED", "UNDETERMINED"};
static const char *const adv_event_names[] = {"i", "f", "la", "lim"};
static const char *const adv_range_names[] = {"", "semver:", "git:"};

static inline void advisory_text(struct canh_buf *b, const struct canh_advisory *a)
{
	canh_buf_appendf(b, "%s sev=%s", a->id ? a->id : "-", canh_severity_name(a->severity));
	if (a->cvss_score >= 0)
		canh_buf_appendf(b, " cvss=%.1f", a->cvss_score);
	for (size_t i = 0; i < a->n_aliases; i++)
		canh_buf_appendf(b, "%s%s", i ? "," : " aliases=", a->aliases[i]);
	for (size_t i = 0; i < a->n_affected; i++) {
		const struct canh_affected *af = &a->affected[i];
		canh_buf_appendf(b, " | %s%s%s/%s%s %s", canh_ecosystem_name(af->ecosystem),
				 af->release ? ":" : "", af->release ? af->release : "",
				 af->package ? af->package : "-", af->source_package ? "(src)" : "",
				 adv_status_names[af->status]);
		if (af->fixed_version)
			canh_buf_appendf(b, " fix=%s", af->fixed_version);
		if (af->urgency)
			canh_buf_appendf(b, " urg=%s", af->urgency);
		for (size_t j = 0; j < af->n_ranges; j++) {
			const struct canh_range *r = &af->ranges[j];
			canh_buf_appendf(b, " [%s", adv_range_names[r->type]);
			for (size_t k = 0; k < r->n_events; k++)
				canh_buf_appendf(b, "%s%s=%s", k ? "," : "",
						 adv_event_names[r->events[k].kind],
						 r->events[k].version);
			canh_buf_putc(b, ']');
		}
		for (size_t j = 0; j < af->n_versions; j++)
			canh_buf_appendf(b, "%s%s", j ? "," : " v=", af->versions[j]);
	}
}

#endif
