/*
 * The settings table of canhd (nginx directive tables): name, type, bounds,
 * default, in one place; `canhd -n` checks a file against it.
 */
#include <stddef.h>
#include <string.h>

#include "canh/log.h"
#include "canh/mem.h"
#include "server_config.h"

#define OFF(f) offsetof(struct canh_server_config, f)
#define SZ(f) sizeof(((struct canh_server_config *)0)->f)
#define KIB 1024LL
#define GIB (1024LL * 1024 * 1024)
#define SEC 1000LL
#define DAY (86400LL * 1000)

const struct canh_cfg_def canh_server_config_defs[] = {
    {"server", "listen", CANH_CFG_STRING, 0, 0, "127.0.0.1:8443", OFF(listen), SZ(listen),
     "address:port to listen on (IPv6 as [addr]:port; port 0 picks a free one)"},
    {"server", "max_body", CANH_CFG_SIZE, KIB, GIB, "8M", OFF(max_body), 0,
     "largest request body accepted"},
    {"server", "max_body_total", CANH_CFG_SIZE, 64 * KIB, 64 * GIB, "256M", OFF(max_body_total), 0,
     "request bodies held in memory at once, over all connections; past it a request gets 503 "
     "and the client retries later"},
    {"server", "threads", CANH_CFG_INT, 1, 64, "4", OFF(threads), 0, "HTTP worker threads"},
    {"server", "trusted_proxies", CANH_CFG_STRING, 0, 0, "", OFF(trusted_proxies),
     SZ(trusted_proxies), "space-separated CIDRs whose X-Forwarded-For is believed"},
    {"server", "token_default_expiry", CANH_CFG_DURATION, 60 * SEC, 3650 * DAY, "7d",
     OFF(token_default_expiry), 0, "lifetime of an enrolment token when none is asked"},
    {"server", "token_max_expiry", CANH_CFG_DURATION, 60 * SEC, 3650 * DAY, "90d",
     OFF(token_max_expiry), 0, "longest lifetime an enrolment token may be given"},
    {"server", "connection_timeout", CANH_CFG_DURATION, SEC, 3600 * SEC, "30s",
     OFF(connection_timeout), 0, "idle time after which a connection is closed"},
    {"store", "message_retention", CANH_CFG_DURATION, 0, 3650 * DAY, "90d", OFF(message_retention),
     0,
     "how long agent messages are kept after they arrive (0: for ever); the latest "
     "inventory and the per-host counters are kept regardless"},
    {"store", "prune_interval", CANH_CFG_DURATION, SEC, DAY, "1h", OFF(prune_interval), 0,
     "how often messages past their retention are deleted"},
    {"log", "level", CANH_CFG_STRING, 0, 0, "info", OFF(log_level), SZ(log_level),
     "error, warn, info or debug"},
    {"log", "journal", CANH_CFG_BOOL, 0, 0, "no", OFF(journal), 0,
     "log to the systemd journal instead of stderr"},
    {"tls", "cert_file", CANH_CFG_STRING, 0, 0, "", OFF(cert_file), SZ(cert_file),
     "PEM certificate (chain); empty: self-signed in the state directory"},
    {"tls", "key_file", CANH_CFG_STRING, 0, 0, "", OFF(key_file), SZ(key_file),
     "PEM private key of cert_file"},
    {"intel", "max_feed_size", CANH_CFG_SIZE, KIB, 256 * 1024 * KIB, "128M", OFF(max_feed_size), 0,
     "largest feed file accepted by an import (also bounded by max_body_total)"},
    {"intel", "flow_retention", CANH_CFG_DURATION, 0, 3650 * DAY, "30d", OFF(flow_retention), 0,
     "how long agents' connections are kept after they were last seen (0: for ever); C2 alerts "
     "stay"},
    {"intel", "retrohunt_days", CANH_CFG_INT, 0, 3650, "30", OFF(retrohunt_days), 0,
     "days of stored connections matched against every C2 list imported (0: no retro-hunt)"},
    {"vuln", "max_advisory_size", CANH_CFG_SIZE, KIB, 4 * GIB, "256M", OFF(max_advisory_size), 0,
     "largest advisory file accepted by an import (the Debian tracker's JSON is tens of MB); "
     "also bounded by max_body_total"},
    {"hunt", "max_rules_size", CANH_CFG_SIZE, KIB, 64 * 1024 * KIB, "16M", OFF(max_rules_size), 0,
     "largest YARA rule set or hash list accepted by POST /rules (413 over it)"},
    {"logs", "rules_dir", CANH_CFG_STRING, 0, 0, "/usr/share/canh/rules/sigma",
     OFF(sigma_rules_dir), SZ(sigma_rules_dir),
     "Sigma rules loaded at start (a file or a directory; uploaded rule sets come on top)"},
    {"logs", "dedup_window", CANH_CFG_DURATION, 0, 30 * DAY, "10m", OFF(dedup_window), 0,
     "an alert repeated (same rule, host and group-by values) within this time counts on the "
     "first one instead of making a new alert (0: every match is an alert)"},
    {"logs", "dedup_key", CANH_CFG_STRING, 0, 0, "rule,host,group", OFF(dedup_key), SZ(dedup_key),
     "what makes two alerts the same for de-duplication: the rule and any of host, unit, group "
     "(the correlation's group-by values), comma-separated"},
    {"logs", "decoders_max", CANH_CFG_INT, 1, 100000, "256", OFF(decoders_max), 0,
     "per-agent decoder states kept in memory (least recently used evicted)"},
    {"logs", "corr_groups_max", CANH_CFG_INT, 16, 10000000, "65536", OFF(corr_groups_max), 0,
     "Sigma correlation groups kept in memory (least recently used evicted, counted)"},
    {"logs", "timezone", CANH_CFG_STRING, 0, 0, "+07:00", OFF(log_timezone), SZ(log_timezone),
     "zone of log lines whose time carries none (+07:00, UTC, Asia/Ho_Chi_Minh)"},
    {NULL, NULL, 0, 0, 0, NULL, 0, 0, NULL},
};

int canh_server_config_init(struct canh_server_config *c, struct canh_errmsg *err)
{
	memset(c, 0, sizeof(*c));
	return canh_config_defaults(canh_server_config_defs, c, err);
}

int canh_server_parse_listen(const char *s, struct canh_ipaddr *addr, int *port,
			     struct canh_errmsg *err)
{
	char host[CANH_IPADDR_STRLEN + 1];
	const char *colon, *p;
	size_t hlen;
	int64_t v;

	memset(addr, 0, sizeof(*addr));
	*port = 0;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return canh_errmsg_set(err, CANH_EINVAL,
					       "listen '%s': expected [IPv6 address]:port", s);
		hlen = (size_t)(close - s - 1);
		p = s + 1;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return canh_errmsg_set(err, CANH_EINVAL,
					       "listen '%s': expected address:port", s);
		hlen = (size_t)(colon - s);
		p = s;
	}
	if (hlen >= sizeof(host))
		return canh_errmsg_set(err, CANH_EINVAL, "listen '%s': address too long", s);
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	if (canh_parse_int64(colon + 1, 0, 65535, &v) != 0)
		return canh_errmsg_set(err, CANH_EINVAL, "listen '%s': port must be 0..65535", s);
	*port = (int)v;
	if (host[0] == '\0' || strcmp(host, "*") == 0) {
		addr->family = 4;
		return 0;
	}
	if (strcmp(host, "localhost") == 0) {
		addr->family = 4;
		addr->bytes[0] = 127;
		addr->bytes[3] = 1;
		return 0;
	}
	if (canh_ip_parse(host, addr) != 0)
		return canh_errmsg_set(err, CANH_EINVAL, "listen '%s': '%s' is not an IP address",
				       s, host);
	return 0;
}

int canh_server_config_check(struct canh_server_config *c, const char *name,
			     struct canh_errmsg *err)
{
	struct canh_errmsg e;
	struct canh_ipaddr a;
	enum canh_log_level lvl;
	const char *p;
	int port;

	c->error_key = "server.listen";
	if (canh_server_parse_listen(c->listen, &a, &port, &e) != 0)
		return canh_errmsg_set(err, CANH_EINVAL, "%s: %s", name, e.text);
	c->error_key = "log.level";
	if (canh_log_level_parse(c->log_level, &lvl) != 0)
		return canh_errmsg_set(err, CANH_EINVAL,
				       "%s: log level '%s' is not error, warn, info or debug", name,
				       c->log_level);
	c->error_key = c->cert_file[0] ? "tls.cert_file" : "tls.key_file";
	if ((c->cert_file[0] != '\0') != (c->key_file[0] != '\0'))
		return canh_errmsg_set(err, CANH_EINVAL,
				       "%s: tls cert_file and key_file must be set together", name);
	c->error_key = "server.token_default_expiry";
	if (c->token_default_expiry > c->token_max_expiry)
		return canh_errmsg_set(err, CANH_EINVAL,
				       "%s: token_default_expiry is longer than token_max_expiry",
				       name);
	c->error_key = "server.trusted_proxies";
	c->nproxies = 0;
	p = c->trusted_proxies;
	while (*p) {
		char tok[CANH_CIDR_STRLEN + 1];
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		n = strcspn(p, " \t,");
		if (n >= sizeof(tok))
			return canh_errmsg_set(err, CANH_EINVAL,
					       "%s: trusted_proxies: '%.*s' is not a CIDR", name,
					       (int)n, p);
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (c->nproxies == CANH_SERVER_MAX_PROXIES)
			return canh_errmsg_set(err, CANH_EINVAL,
					       "%s: trusted_proxies: more than %d entries", name,
					       CANH_SERVER_MAX_PROXIES);
		if (canh_cidr_parse(tok, false, &c->proxies[c->nproxies]) != 0)
			return canh_errmsg_set(
			    err, CANH_EINVAL, "%s: trusted_proxies: '%s' is not a CIDR", name, tok);
		c->nproxies++;
		p += n;
	}
	c->error_key = NULL;
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

size_t canh_server_config_line(const char *text, size_t len, const char *section_dot_name)
{
	const char *dot = strchr(section_dot_name, '.');
	const char *name = dot ? dot + 1 : section_dot_name;
	size_t slen = dot ? (size_t)(dot - section_dot_name) : 0, nlen = strlen(name);
	size_t line = 0, found = 0, i = 0;
	int in_section = slen == 0;

	while (i < len) {
		size_t end = i, k;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		k = i;
		while (k < end && is_space(text[k]))
			k++;
		if (k < end && text[k] == '[') {
			in_section = end - k > slen + 1 && text[k + 1 + slen] == ']' &&
				     strncmp(text + k + 1, section_dot_name, slen) == 0;
		} else if (in_section && end - k > nlen && strncmp(text + k, name, nlen) == 0) {
			size_t m = k + nlen;
			while (m < end && is_space(text[m]))
				m++;
			if (m < end && text[m] == '=')
				found = line;
		}
		i = end + 1;
	}
	return found;
}
