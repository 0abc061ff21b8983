/*
 * The schema of the "logs" area (log collection, Sigma alerts, uploaded Sigma rule sets), as
 * numbered migrations (see struct sq_component in store_sqlite.h). Never edit a step that has
 * shipped: add one at the end.
 *
 * Raw log lines are not kept here: only the alerts (with the event that raised them) and
 * per-host counters. The "logs" messages themselves stay in agent_messages like every message,
 * until [store] message_retention.
 */
#include <stddef.h>

#include "store_sqlite.h"

static const char *const steps[] = {
    /* 1: counters, evaluation claims, alerts, rule sets, per-unit disables */
    "CREATE TABLE log_counters ("
    "  agent_id INTEGER PRIMARY KEY REFERENCES agents(id),"
    "  lines INTEGER NOT NULL DEFAULT 0,"
    "  events INTEGER NOT NULL DEFAULT 0,"
    "  shed INTEGER NOT NULL DEFAULT 0,"
    "  cut INTEGER NOT NULL DEFAULT 0,"
    "  alerts INTEGER NOT NULL DEFAULT 0,"
    "  last_at INTEGER NOT NULL DEFAULT 0"
    ");"
    /* A logs message stored but not evaluated yet: evaluation deletes the row in the
       transaction that records its alerts, so a message is evaluated at most once. */
    "CREATE TABLE log_pending ("
    "  agent_id INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  PRIMARY KEY (agent_id, seq)"
    ") WITHOUT ROWID;"
    "CREATE TABLE log_alerts ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('sigma', 'c2')),"
    "  rule_id TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  title_vi TEXT NOT NULL,"
    "  level TEXT NOT NULL,"
    "  level_rank INTEGER NOT NULL,"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  dedup_key TEXT NOT NULL,"
    "  group_by TEXT NOT NULL DEFAULT '',"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  count INTEGER NOT NULL DEFAULT 1,"
    "  detail TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX log_alerts_key ON log_alerts(dedup_key, last_seen);"
    "CREATE INDEX log_alerts_seen ON log_alerts(last_seen);"
    "CREATE INDEX log_alerts_agent ON log_alerts(agent_id, last_seen);"
    "CREATE TABLE sigma_rulesets ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  content TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  loaded INTEGER NOT NULL, skipped INTEGER NOT NULL, errors INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (name, version)"
    ");"
    "CREATE TABLE sigma_disabled ("
    "  rule_id TEXT NOT NULL,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (rule_id, unit_id)"
    ") WITHOUT ROWID;",
};

const struct sq_component canh__schema_logs = {"logs", steps, sizeof(steps) / sizeof(steps[0])};
