/*
 * The SQLite schema as numbered migrations.
 *
 * Migration i (0-based) brings the database from user_version i to i+1; each
 * is applied in its own transaction together with the new user_version, so a
 * crash leaves the database at a whole version. Never edit a migration that
 * has shipped: add a new one at the end.
 *
 * Conventions: times are INTEGER milliseconds since the epoch (UTC); secrets
 * are stored only as hex SHA-256; JSON columns hold compact JSON text.
 */
#include <stddef.h>

#include "store_sqlite.h"

static const char *const migrations[] = {
    /* 1: units, tokens, agents, messages, inventory, audit */
    "CREATE TABLE units ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  parent_id INTEGER REFERENCES units(id) ON DELETE RESTRICT,"
    "  public_ranges TEXT NOT NULL DEFAULT '[]',"
    "  contacts TEXT NOT NULL DEFAULT '[]',"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE INDEX units_parent ON units(parent_id);"

    "CREATE TABLE api_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL,"
    "  token_hash TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE agents ("
    "  id INTEGER PRIMARY KEY,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  token_id INTEGER,"
    "  cred_hash TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),"
    "  hostname TEXT NOT NULL,"
    "  machine_id TEXT NOT NULL DEFAULT '',"
    "  agent_version TEXT NOT NULL DEFAULT '',"
    "  enrolled_at INTEGER NOT NULL,"
    "  revoked_at INTEGER,"
    "  last_seen INTEGER,"
    "  last_addr TEXT,"
    "  ack_seq INTEGER NOT NULL DEFAULT 0,"
    "  messages INTEGER NOT NULL DEFAULT 0,"
    "  rejected INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX agents_unit ON agents(unit_id);"

    "CREATE TABLE enrol_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  used_at INTEGER,"
    "  agent_id INTEGER REFERENCES agents(id),"
    "  created_by TEXT NOT NULL"
    ");"

    "CREATE TABLE agent_addresses ("
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  addr TEXT NOT NULL,"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  requests INTEGER NOT NULL DEFAULT 1,"
    "  PRIMARY KEY (agent_id, addr)"
    ");"

    "CREATE TABLE agent_messages ("
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  seq INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  time INTEGER NOT NULL,"
    "  received_at INTEGER NOT NULL,"
    "  data TEXT NOT NULL,"
    "  PRIMARY KEY (agent_id, seq)"
    ");"

    "CREATE TABLE agent_rejects ("
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  seq INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  received_at INTEGER NOT NULL,"
    "  PRIMARY KEY (agent_id, seq)"
    ");"

    /* Latest inventory: base facts, and the seq each section was last replaced by,
       so an older inventory that arrives late (a gap filled) never overwrites a newer one. */
    "CREATE TABLE host_os ("
    "  agent_id INTEGER PRIMARY KEY REFERENCES agents(id),"
    "  os_id TEXT, os_version_id TEXT, os_pretty TEXT, os_info TEXT NOT NULL DEFAULT '{}',"
    "  kernel_release TEXT, kernel_version TEXT, arch TEXT,"
    "  errors TEXT NOT NULL DEFAULT '[]',"
    "  inventory_at INTEGER, inventory_seq INTEGER NOT NULL DEFAULT 0,"
    "  interfaces_seq INTEGER NOT NULL DEFAULT 0,"
    "  packages_seq INTEGER NOT NULL DEFAULT 0,"
    "  listening_seq INTEGER NOT NULL DEFAULT 0,"
    "  packages_count INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE host_interfaces ("
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  name TEXT NOT NULL, mac TEXT, up INTEGER, addresses TEXT NOT NULL DEFAULT '[]'"
    ");"
    "CREATE INDEX host_interfaces_agent ON host_interfaces(agent_id);"
    "CREATE TABLE host_packages ("
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  manager TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,"
    "  arch TEXT, source TEXT, source_version TEXT"
    ");"
    "CREATE INDEX host_packages_agent ON host_packages(agent_id);"
    "CREATE INDEX host_packages_name ON host_packages(name);"
    "CREATE TABLE host_listening ("
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  proto TEXT NOT NULL, addr TEXT NOT NULL, port INTEGER NOT NULL,"
    "  pid INTEGER, process TEXT, exe TEXT, user INTEGER"
    ");"
    "CREATE INDEX host_listening_agent ON host_listening(agent_id);"

    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  object TEXT NOT NULL,"
    "  detail TEXT"
    ");",

    /* 2: message retention deletes by age (canh_store_prune_messages) */
    "CREATE INDEX agent_messages_received ON agent_messages(received_at);",
};

const char *const *canh__store_migrations(size_t *n)
{
	*n = sizeof(migrations) / sizeof(migrations[0]);
	return migrations;
}

/*
 * The areas' schemas, in the order they are applied (an area may refer to
 * the core's tables and to those of areas before it). Each area defines its
 * steps in its own store_sqlite_<area>_schema.c.
 */
static const struct sq_component *const components[] = {
    &canh__schema_intel,
    &canh__schema_flows,
    &canh__schema_vuln,
    &canh__schema_hunt,
    /* log counters, Sigma alerts and rule sets */
    &canh__schema_logs,
};

const struct sq_component *const *canh__store_components(size_t *n)
{
	*n = sizeof(components) / sizeof(components[0]);
	return components;
}
