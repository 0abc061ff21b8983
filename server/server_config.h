/*
 * canhd's settings: one table (server_config.c) parsed by lib/config.c.
 */
#ifndef CANH_SERVER_CONFIG_H
#define CANH_SERVER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "canh/config.h"
#include "canh/ipaddr.h"

#define CANH_SERVER_MAX_PROXIES 64

struct canh_server_config {
	/* [server] */
	char listen[128];
	int64_t max_body;	/* bytes */
	int64_t max_body_total; /* bytes of request bodies held at once, all connections */
	int64_t threads;
	char trusted_proxies[2048];   /* space-separated CIDRs */
	int64_t token_default_expiry; /* ms */
	int64_t token_max_expiry;     /* ms */
	int64_t connection_timeout;   /* ms */
	/* [store] */
	int64_t message_retention; /* ms; 0 keeps every message */
	int64_t prune_interval;	   /* ms */
	/* [log] */
	char log_level[16];
	int journal;
	/* [tls] */
	char cert_file[1024];
	char key_file[1024];
	/* [intel] */
	int64_t max_feed_size; /* bytes of one feed file uploaded (POST /intel/feeds) */
	/* ms agents' connections are kept after last seen (0: for ever); days of them matched
	   against each new C2 list */
	int64_t flow_retention;
	int64_t retrohunt_days;
	/* [vuln] */
	int64_t max_advisory_size; /* bytes of one advisory file (POST /vuln/advisories) */
	/* [hunt] */
	int64_t max_rules_size; /* bytes of one rule set or hash list (POST /rules) */
	/* [logs] (server/logs.h) */
	char sigma_rules_dir[1024]; /* shipped Sigma rules loaded at start */
	int64_t dedup_window;	    /* ms: a repeat within it counts, no new alert */
	char dedup_key[64];	    /* parts of the de-duplication key: rule,host,unit,group */
	int64_t decoders_max;	    /* per-agent decoder contexts kept (LRU) */
	int64_t corr_groups_max;    /* correlation groups kept in memory */
	char log_timezone[64];	    /* zone of log lines that carry none */

	/* Derived by canh_server_config_check, not in the table. */
	struct canh_cidr proxies[CANH_SERVER_MAX_PROXIES];
	size_t nproxies;
	const char *error_key; /* "section.name" the last failed check is about */
};

extern const struct canh_cfg_def canh_server_config_defs[];

/* Defaults into *c. */
int canh_server_config_init(struct canh_server_config *c, struct canh_errmsg *err);
/*
 * Checks that span settings or need parsing beyond the table (listen address,
 * trusted proxies, log level, cert and key together, default <= max expiry);
 * fills the derived fields. `name` prefixes messages (the file name or
 * "command line").
 */
int canh_server_config_check(struct canh_server_config *c, const char *name,
			     struct canh_errmsg *err);

/*
 * The line of a config file text where section.name is set (the last time),
 * or 0: for messages about values that only fail when checked together.
 */
size_t canh_server_config_line(const char *text, size_t len, const char *section_dot_name);

/*
 * Split "127.0.0.1:8443", "[::1]:0", "*:8443" into an address and port.
 * "*" or an empty host means every IPv4 address (0.0.0.0).
 */
int canh_server_parse_listen(const char *s, struct canh_ipaddr *addr, int *port,
			     struct canh_errmsg *err);

#endif
