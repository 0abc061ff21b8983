/*
 * canh-agent settings: one table, parsed by lib/config.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "canh/fs.h"
#include "canh/log.h"
#include "canh/mem.h"
#include "logs.h"

#define MS(x) ((int64_t)(x))
#define SEC 1000LL
#define DAY (86400LL * SEC)
#define F(x) offsetof(struct canh_agent_cfg, x)

const struct canh_cfg_def canh_agent_cfg_defs[] = {
    {"agent", "inventory_interval", CANH_CFG_DURATION, MS(100), 30 * DAY, "1h",
     F(inventory_interval), 0, "how often the inventory is collected"},
    {"agent", "heartbeat_interval", CANH_CFG_DURATION, MS(10), DAY, "5m", F(heartbeat_interval), 0,
     "how often a heartbeat is spooled"},
    {"agent", "full_inventory_interval", CANH_CFG_DURATION, MS(100), 365 * DAY, "24h",
     F(full_inventory_interval), 0, "how often every inventory section is sent, changed or not"},
    {"agent", "spool_max", CANH_CFG_SIZE, 64 * 1024, (int64_t)1 << 40, "256M", F(spool_max), 0,
     "cap on undelivered messages on disk"},
    {"agent", "batch_max_messages", CANH_CFG_INT, 1, 1000, "500", F(batch_max_messages), 0,
     "messages per upload"},
    {"agent", "batch_max_bytes", CANH_CFG_SIZE, 1024, 64LL * 1024 * 1024, "4M", F(batch_max_bytes),
     0, "payload bytes per upload (one larger message still goes alone)"},
    {"agent", "upload_interval", CANH_CFG_DURATION, MS(10), DAY, "5s", F(upload_interval), 0,
     "how often to try delivering when idle"},
    {"agent", "retry_max", CANH_CFG_DURATION, MS(10), DAY, "60s", F(retry_max), 0,
     "cap of the exponential backoff while the server is unreachable"},
    {"agent", "connect_timeout", CANH_CFG_DURATION, MS(100), 600 * SEC, "10s", F(connect_timeout),
     0, "TCP and TLS connection timeout"},
    {"agent", "request_timeout", CANH_CFG_DURATION, MS(100), 3600 * SEC, "60s", F(request_timeout),
     0, "whole request timeout"},
    {"agent", "flow_interval", CANH_CFG_DURATION, 0, 3600 * SEC, "10s", F(flow_interval), 0,
     "how often network connections are sampled (0: not at all)"},
    {"agent", "flow_upload", CANH_CFG_DURATION, MS(100), DAY, "60s", F(flow_upload), 0,
     "how often the connections seen since the last time are spooled as one message"},
    {"agent", "flow_max", CANH_CFG_INT, 1, 5000, "5000", F(flow_max), 0,
     "connections per flows message; more are counted as dropped"},
    {"agent", "flow_loopback", CANH_CFG_BOOL, 0, 1, "no", F(flow_loopback), 0,
     "also report connections over the loopback interface (tests)"},
    {"agent", "flow_package_owner", CANH_CFG_BOOL, 0, 1, "yes", F(flow_package_owner), 0,
     "look up which dpkg package owns each connecting executable"},
    {"agent", "log_files", CANH_CFG_STRING, 0, 0, CANH_AGENT_LOG_FILES_DEFAULT, F(log_files),
     sizeof(((struct canh_agent_cfg *)0)->log_files),
     "log files followed: comma-separated paths or globs (\"\" for none)"},
    {"agent", "journald", CANH_CFG_STRING, 0, 0, "auto", F(journald),
     sizeof(((struct canh_agent_cfg *)0)->journald),
     "follow the systemd journal: yes, no, or auto (when it can be read)"},
    {"agent", "journal_dir", CANH_CFG_STRING, 0, 0, "", F(journal_dir),
     sizeof(((struct canh_agent_cfg *)0)->journal_dir),
     "read the journal files of this directory, not the system journal (\"\": the system)"},
    {"agent", "log_interval", CANH_CFG_DURATION, 0, 3600 * SEC, "1s", F(log_interval), 0,
     "how often log files and the journal are read (0: no log collection)"},
    {"agent", "log_rate_lines", CANH_CFG_INT, 0, 10000000, "2000", F(log_rate_lines), 0,
     "lines per second kept per log source; more are dropped and counted (0: no cap)"},
    {"agent", "log_rate_bytes", CANH_CFG_SIZE, 0, (int64_t)1 << 30, "2M", F(log_rate_bytes), 0,
     "bytes per second kept per log source; more are dropped and counted (0: no cap)"},
    {"agent", "log_max_lines", CANH_CFG_INT, 1, 2000, "1000", F(log_max_lines), 0,
     "lines per logs message"},
    {"agent", "log_from_start", CANH_CFG_BOOL, 0, 1, "no", F(log_from_start), 0,
     "read log files present at the very first start from their beginning"},
    {"agent", "task_poll_interval", CANH_CFG_DURATION, 0, DAY, "30s", F(task_poll_interval), 0,
     "how often the server is asked for tasks (hunts, restores); 0: never"},
    {"hunt", "threads", CANH_CFG_INT, 1, 64, "1", F(hunt_threads), 0, "scan threads of a hunt"},
    {"hunt", "nice", CANH_CFG_INT, 0, 19, "10", F(hunt_nice), 0,
     "niceness added to the scan threads"},
    {"hunt", "ionice_idle", CANH_CFG_BOOL, 0, 1, "yes", F(hunt_ionice_idle), 0,
     "scan with the idle I/O class"},
    {"hunt", "cpu_percent", CANH_CFG_INT, 1, 100, "50", F(hunt_cpu_percent), 0,
     "share of its wall time each scan thread may be busy (it pauses for the rest)"},
    {"hunt", "max_file_size", CANH_CFG_SIZE, 1024, (int64_t)4 << 30, "64M", F(hunt_max_file_size),
     0, "larger files are counted, not read"},
    {"hunt", "timeout", CANH_CFG_DURATION, SEC, 3600 * SEC, "30s", F(hunt_timeout), 0,
     "time the rules may take on one file"},
    {"log", "level", CANH_CFG_STRING, 0, 0, "info", F(log_level),
     sizeof(((struct canh_agent_cfg *)0)->log_level), "error, warn, info or debug"},
    {"log", "journal", CANH_CFG_BOOL, 0, 1, "no", F(journal), 0,
     "log to the systemd journal instead of stderr"},
    {NULL},
};

int canh_agent_cfg_load(struct canh_agent_cfg *c, const char *state_dir, const char *file,
			const char *const *sets, size_t nsets, struct canh_errmsg *err)
{
	char *deflt = NULL;
	enum canh_log_level lvl;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = canh_config_defaults(canh_agent_cfg_defs, c, err)) != 0)
		return rc;
	if (!file && state_dir) {
		deflt = canh_path_join(state_dir, "agent.conf");
		if (access(deflt, F_OK) == 0)
			file = deflt;
	}
	if (file && (rc = canh_config_load(canh_agent_cfg_defs, c, file, err)) != 0)
		goto out;
	for (size_t i = 0; i < nsets; i++) {
		const char *eq = strchr(sets[i], '=');
		char key[128];
		if (!eq || eq == sets[i] || (size_t)(eq - sets[i]) >= sizeof(key)) {
			rc = canh_errmsg_set(err, CANH_EINVAL, "--set '%s': expected key=value",
					     sets[i]);
			goto out;
		}
		memcpy(key, sets[i], (size_t)(eq - sets[i]));
		key[eq - sets[i]] = '\0';
		if ((rc = canh_config_set(canh_agent_cfg_defs, c, key, eq + 1, err)) != 0)
			goto out;
	}
	if (rc == 0 && strcmp(c->journald, "yes") != 0 && strcmp(c->journald, "no") != 0 &&
	    strcmp(c->journald, "auto") != 0)
		rc = canh_errmsg_set(err, CANH_EINVAL,
				     "'journald' must be yes, no or auto, got '%s'", c->journald);
	else if (canh_log_level_parse(c->log_level, &lvl) != 0)
		rc = canh_errmsg_set(err, CANH_EINVAL,
				     "'level' must be error, warn, info or debug, got '%s'",
				     c->log_level);
out:
	free(deflt);
	return rc;
}
