/*
 * The schema of the "hunt" area (centralised anti-malware: rule sets, hunts, per-host
 * progress, detections, quarantine), as numbered migrations (see struct sq_component in
 * store_sqlite.h). Never edit a step that has shipped: add one at the end.
 *
 * hunt_rule_sets   YARA sources and hash lists by (name, version): the source as uploaded,
 *                  its SHA-256, the compiled size and rule count
 * hunts            what to scan (rule set and hash list pinned by version, paths, target),
 *                  the auto-quarantine policy, the schedule (every_ms, next_run) and its run
 * hunt_hosts       one row per (hunt, host): the state of the host's current run
 *                  (queued → running → done | failed) with its counters
 * hunt_detections  what the agents found (host, unit, hunt, path, hashes, rule or IOC,
 *                  rule-set name and version, action taken)
 * hunt_quarantine  files the agents quarantined, by (host, quarantine id), and the restore
 *                  requested through the API and its result
 */
#include <stddef.h>

#include "store_sqlite.h"

static const char *const steps[] = {
    /* 1: rule sets, hunts, per-host progress, detections, quarantine */
    "CREATE TABLE hunt_rule_sets ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('yara', 'hashes')),"
    "  version INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  source BLOB NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  compiled_size INTEGER NOT NULL DEFAULT 0,"
    "  rules INTEGER NOT NULL DEFAULT 0,"
    "  rules_version TEXT NOT NULL DEFAULT '',"
    "  uploaded_at INTEGER NOT NULL,"
    "  uploaded_by TEXT NOT NULL,"
    "  UNIQUE (name, version)"
    ");"

    "CREATE TABLE hunts ("
    "  id INTEGER PRIMARY KEY,"
    "  rules_id INTEGER REFERENCES hunt_rule_sets(id),"
    "  hashes_id INTEGER REFERENCES hunt_rule_sets(id),"
    "  target TEXT NOT NULL,"
    "  paths TEXT NOT NULL,"
    "  quarantine INTEGER NOT NULL DEFAULT 0,"
    "  every_ms INTEGER NOT NULL DEFAULT 0,"
    "  run INTEGER NOT NULL DEFAULT 1,"
    "  next_run INTEGER,"
    "  created_at INTEGER NOT NULL,"
    "  created_by TEXT NOT NULL"
    ");"

    "CREATE TABLE hunt_hosts ("
    "  hunt_id INTEGER NOT NULL REFERENCES hunts(id),"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  run INTEGER NOT NULL DEFAULT 1,"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state IN ('queued', 'running', 'done', 'failed')),"
    "  files INTEGER NOT NULL DEFAULT 0,"
    "  bytes INTEGER NOT NULL DEFAULT 0,"
    "  detections INTEGER NOT NULL DEFAULT 0,"
    "  started_at INTEGER,"
    "  finished_at INTEGER,"
    "  error TEXT,"
    "  updated_seq INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (hunt_id, agent_id)"
    ");"
    "CREATE INDEX hunt_hosts_agent ON hunt_hosts(agent_id, state);"

    "CREATE TABLE hunt_detections ("
    "  id INTEGER PRIMARY KEY,"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  unit_id INTEGER NOT NULL,"
    "  hunt_id INTEGER,"
    "  run INTEGER,"
    "  path TEXT NOT NULL,"
    "  size INTEGER,"
    "  md5 TEXT,"
    "  sha1 TEXT,"
    "  sha256 TEXT,"
    "  rule TEXT,"
    "  ioc TEXT,"
    "  rules_name TEXT,"
    "  rules_version INTEGER,"
    "  action TEXT NOT NULL DEFAULT 'none',"
    "  quarantine_id TEXT,"
    "  time INTEGER NOT NULL,"
    "  received_at INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL"
    ");"
    "CREATE INDEX hunt_detections_hunt ON hunt_detections(hunt_id);"
    "CREATE INDEX hunt_detections_unit ON hunt_detections(unit_id, time);"

    "CREATE TABLE hunt_quarantine ("
    "  id INTEGER PRIMARY KEY,"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  qid TEXT NOT NULL,"
    "  hunt_id INTEGER,"
    "  path TEXT NOT NULL,"
    "  size INTEGER,"
    "  mode INTEGER,"
    "  md5 TEXT,"
    "  sha1 TEXT,"
    "  sha256 TEXT,"
    "  rule TEXT,"
    "  quarantined_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'quarantined'"
    "    CHECK (state IN ('quarantined', 'restore_requested', 'restored', 'restore_failed')),"
    "  requested_at INTEGER,"
    "  restored_at INTEGER,"
    "  error TEXT,"
    "  UNIQUE (agent_id, qid)"
    ");",
};

const struct sq_component canh__schema_hunt = {"hunt", steps, sizeof(steps) / sizeof(steps[0])};
