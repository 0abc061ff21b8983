/*
 * Threat-intelligence feed parsers: every format canh reads (plain lists,
 * CSV with a mapped header, xlsx, Feodo Tracker CSV, Spamhaus DROP text and
 * JSON lines, STIX 2.1 bundles, MISP feed events) into one entry model.
 *
 * The parser streams entries to a sink; a row that cannot be read is handed
 * to the sink's reject callback with its line (or xlsx cell) and a short
 * English reason, and parsing goes on. An error is returned only when the
 * whole file is unusable (not a zip, corrupt JSON at the top level, over the
 * size cap, no header with an address column...), with its position in err.
 *
 * Caps: a file is at most CANH_FEED_MAX_FILE bytes, a text line at most
 * CANH_FEED_MAX_LINE bytes (a longer line is rejected, not fatal), an xlsx
 * member at most CANH_FEED_MAX_XML bytes, counted as it is decompressed (a
 * zip bomb stops there, whatever the zip directory claims), a sheet at most
 * CANH_FEED_MAX_ROWS rows, a cell at most CANH_FEED_MAX_CELL bytes.
 *
 * Text is UTF-8; UTF-16 with a BOM is converted first. Times without a zone
 * (dates in CSV and xlsx, "dd/mm/yyyy HH:MM") are taken as Vietnam time,
 * UTC+7, unless the table's header or title rows say UTC; times with a zone
 * or a 'Z' are kept as given. docs/intel.md "Feed formats" has the rest.
 *
 * Memory: the plain and CSV paths do not allocate per line. Strings in an
 * entry belong to the parser and are valid only during the sink call.
 */
#ifndef CANH_FEED_H
#define CANH_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "canh/error.h"
#include "canh/ipaddr.h"

#define CANH_FEED_MAX_FILE ((size_t)256 << 20) /* 256 MiB */
#define CANH_FEED_MAX_LINE ((size_t)64 << 10)  /* 64 KiB */
#define CANH_FEED_MAX_XML ((size_t)512 << 20)  /* one xlsx member, uncompressed */
#define CANH_FEED_MAX_ROWS 4000000u	       /* rows of one xlsx sheet */
#define CANH_FEED_MAX_CELL ((size_t)32 << 10)  /* bytes of one xlsx cell */

enum canh_ioc_type {
	CANH_IOC_IP,	 /* range lo..hi: a single address, a CIDR or "a-b" */
	CANH_IOC_DOMAIN, /* lowercase, no trailing dot */
	CANH_IOC_URL,
	CANH_IOC_MD5,
	CANH_IOC_SHA1,
	CANH_IOC_SHA256,
};

struct canh_feed_entry {
	enum canh_ioc_type type;
	struct canh_ipaddr lo, hi; /* CANH_IOC_IP: first and last address, same family */
	/* The entry as text, normalised: "192.0.2.7", "192.0.2.0/24" (host bits
	 * cleared), "192.0.2.1-192.0.2.9", lowercase domain, lowercase hex hash. */
	const char *value;
	int64_t seen_ms;    /* time seen / first seen (ms since epoch, UTC); 0 unknown */
	int64_t last_ms;    /* last seen / last online; 0 unknown */
	const char *family; /* botnet / malware family ("Mirai", "Emotet"); NULL unknown */
	int port;	    /* 0 none */
	const char *org;    /* organisation / unit named by the row; NULL unknown */
	const char *ref; /* source id: STIX indicator id, MISP attribute uuid, DROP SBL id; NULL */
	uint32_t line;	 /* 1-based line (text) or row (xlsx) */
	char cell[16];	 /* xlsx: "B7" (the address cell); "" otherwise */
};

enum canh_feed_format {
	CANH_FEED_AUTO,
	CANH_FEED_PLAIN,
	CANH_FEED_CSV,
	CANH_FEED_XLSX,
	CANH_FEED_FEODO,
	CANH_FEED_DROP,
	CANH_FEED_DROP_JSON,
	CANH_FEED_STIX,
	CANH_FEED_MISP,
};

struct canh_feed_sink {
	void *ctx;
	/* One entry; its strings are valid only during the call. Nonzero stops
	 * the parse, which then returns that value. */
	int (*entry)(void *ctx, const struct canh_feed_entry *e);
	/* One rejected row: line (or xlsx row), cell ("B7" or ""), reason. May be NULL. */
	void (*reject)(void *ctx, uint32_t line, const char *cell, const char *reason);
};

struct canh_feed_stats {
	uint64_t rows;		      /* lines / rows / objects / attributes looked at */
	uint64_t entries;	      /* handed to the sink */
	uint64_t rejected;	      /* handed to reject */
	uint64_t skipped;	      /* comments, blank lines, header, title and total rows */
	enum canh_feed_format format; /* the format parsed (after detection) */
};

/* The format of data, by content first; filename (may be NULL) is a hint. Never AUTO. */
enum canh_feed_format canh_feed_detect(const void *data, size_t len, const char *filename);

/*
 * Parse data (not NUL-terminated; len up to CANH_FEED_MAX_FILE) as fmt
 * (CANH_FEED_AUTO detects). filename may be NULL. st (may be NULL) is
 * zeroed first and filled even on error. Returns 0, the sink's nonzero
 * value, or a negative CANH_E... code with err set.
 */
int canh_feed_parse(const void *data, size_t len, enum canh_feed_format fmt, const char *filename,
		    const struct canh_feed_sink *sink, struct canh_feed_stats *st,
		    struct canh_errmsg *err);

/* The same over a file read whole (at most CANH_FEED_MAX_FILE bytes). */
int canh_feed_parse_file(const char *path, enum canh_feed_format fmt,
			 const struct canh_feed_sink *sink, struct canh_feed_stats *st,
			 struct canh_errmsg *err);

/* "auto", "plain", "csv", "xlsx", "feodo", "drop", "drop-json", "stix", "misp". */
const char *canh_feed_format_name(enum canh_feed_format f);
/* The reverse, ASCII case-insensitive; CANH_EINVAL for an unknown name. */
int canh_feed_format_parse(const char *name, enum canh_feed_format *out);

#endif
