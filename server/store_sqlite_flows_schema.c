/*
 * The schema of the "flows" area (network connections reported by agents, and C2 alerts), as
 * numbered migrations (see struct sq_component in store_sqlite.h). Never edit a step that has
 * shipped: add one at the end.
 *
 * Addresses are 16-byte BLOBs (IPv4 in the first 4 bytes, the rest zero) beside their family, so
 * one address has one key whatever its text form.
 */
#include <stddef.h>

#include "store_sqlite.h"

static const char *const steps[] = {
    /* 1: flows (one row per aggregate key) and C2 alerts */
    "CREATE TABLE flows ("
    "  id INTEGER PRIMARY KEY,"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  proto TEXT NOT NULL,"
    "  direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),"
    "  local_ip BLOB NOT NULL, local_port INTEGER NOT NULL,"
    "  family INTEGER NOT NULL,"
    "  remote_ip BLOB NOT NULL, remote_port INTEGER NOT NULL,"
    "  exe TEXT NOT NULL DEFAULT '',"
    "  process TEXT, pid INTEGER, uid INTEGER,"
    "  package TEXT, owned INTEGER,"
    "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    "  count INTEGER NOT NULL DEFAULT 1,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (agent_id, proto, direction, local_ip, local_port, remote_ip, remote_port, exe)"
    ");"
    "CREATE INDEX flows_last_seen ON flows(last_seen);"
    "CREATE INDEX flows_remote ON flows(remote_ip, last_seen);"
    "CREATE INDEX flows_agent_seen ON flows(agent_id, last_seen);"

    "CREATE TABLE intel_alerts ("
    "  id INTEGER PRIMARY KEY,"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  proto TEXT NOT NULL, direction TEXT NOT NULL,"
    "  local_ip BLOB NOT NULL, local_port INTEGER NOT NULL,"
    "  family INTEGER NOT NULL,"
    "  remote_ip BLOB NOT NULL, remote_port INTEGER NOT NULL,"
    "  exe TEXT NOT NULL DEFAULT '',"
    "  process TEXT, pid INTEGER, package TEXT, owned INTEGER,"
    "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    "  entry_id INTEGER NOT NULL,"
    "  feed TEXT NOT NULL, feed_version INTEGER NOT NULL,"
    "  entry TEXT NOT NULL, malware_family TEXT, listed_port INTEGER,"
    "  source TEXT NOT NULL CHECK (source IN ('live', 'retrohunt')),"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (agent_id, remote_ip, remote_port, exe, entry_id)"
    ");"
    "CREATE INDEX intel_alerts_created ON intel_alerts(created_at);"
    "CREATE INDEX intel_alerts_agent ON intel_alerts(agent_id, last_seen);",
};

const struct sq_component canh__schema_flows = {"flows", steps, sizeof(steps) / sizeof(steps[0])};
