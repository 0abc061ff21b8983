/*
 * The schema of the "intel" area (threat intelligence: feeds, their versions and entries, victim
 * matches), as numbered migrations (see struct sq_component in store_sqlite.h). Never edit a step
 * that has shipped: add one at the end.
 *
 * A feed is a name ("botnet-2026-10", "feodo") of one kind: victim (addresses seen infected: the
 * authority's monthly botnet list) or c2 (attackers: C2 servers, IOCs). Each import of a feed is
 * a version; exactly one version of a feed is active, the others are its history. Entries belong
 * to a version and keep where they came from (line, cell). Addresses are stored as the range
 * lo..hi of 16-byte big-endian BLOBs (IPv4 in the first 4 bytes, as struct canh_ipaddr holds them)
 * with the address family in `af`, so memcmp order is address order within a family. `family`
 * is the botnet or malware family a list names.
 */
#include <stddef.h>

#include "store_sqlite.h"

static const char *const steps[] = {
    /* 1: feeds, versions, entries, rejects, victim matches */
    "CREATE TABLE intel_feeds ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('victim', 'c2')),"
    "  created_at INTEGER NOT NULL"
    ");"

    "CREATE TABLE intel_feed_versions ("
    "  id INTEGER PRIMARY KEY,"
    "  feed_id INTEGER NOT NULL REFERENCES intel_feeds(id),"
    "  version INTEGER NOT NULL,"
    "  filename TEXT NOT NULL,"
    "  format TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  imported_at INTEGER NOT NULL,"
    "  imported_by TEXT NOT NULL,"
    "  rows INTEGER NOT NULL DEFAULT 0,"
    "  skipped INTEGER NOT NULL DEFAULT 0,"
    "  n_ip INTEGER NOT NULL DEFAULT 0,"
    "  n_domain INTEGER NOT NULL DEFAULT 0,"
    "  n_url INTEGER NOT NULL DEFAULT 0,"
    "  n_md5 INTEGER NOT NULL DEFAULT 0,"
    "  n_sha1 INTEGER NOT NULL DEFAULT 0,"
    "  n_sha256 INTEGER NOT NULL DEFAULT 0,"
    "  rejected INTEGER NOT NULL DEFAULT 0,"
    "  active INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (feed_id, version)"
    ");"
    "CREATE INDEX intel_feed_versions_active ON intel_feed_versions(active, feed_id);"

    "CREATE TABLE intel_entries ("
    "  id INTEGER PRIMARY KEY,"
    "  version_id INTEGER NOT NULL REFERENCES intel_feed_versions(id),"
    "  type TEXT NOT NULL CHECK (type IN ('ip', 'domain', 'url', 'md5', 'sha1', 'sha256')),"
    "  af INTEGER,"
    "  lo BLOB,"
    "  hi BLOB,"
    "  value TEXT NOT NULL,"
    "  seen INTEGER,"
    "  last INTEGER,"
    "  family TEXT,"
    "  port INTEGER,"
    "  org TEXT,"
    "  ref TEXT,"
    "  line INTEGER NOT NULL,"
    "  cell TEXT"
    ");"
    "CREATE INDEX intel_entries_version ON intel_entries(version_id);"

    /* Only the first rejects of a version are kept; the version counts them all. */
    "CREATE TABLE intel_feed_rejects ("
    "  version_id INTEGER NOT NULL REFERENCES intel_feed_versions(id),"
    "  line INTEGER NOT NULL,"
    "  cell TEXT,"
    "  reason TEXT NOT NULL"
    ");"
    "CREATE INDEX intel_feed_rejects_version ON intel_feed_rejects(version_id);"

    /* Active victim entries x units, by a unit's public range or an agent's egress address;
       rebuilt whole by canh_store_intel_victims_rematch. */
    "CREATE TABLE intel_victim_matches ("
    "  entry_id INTEGER NOT NULL REFERENCES intel_entries(id),"
    "  unit_id INTEGER NOT NULL REFERENCES units(id),"
    "  agent_id INTEGER REFERENCES agents(id),"
    "  how TEXT NOT NULL CHECK (how IN ('unit_range', 'agent_egress')),"
    "  via TEXT NOT NULL"
    ");"
    "CREATE INDEX intel_victim_matches_unit ON intel_victim_matches(unit_id);"

    /* When the matches were last rebuilt, to know whether units or egress addresses changed. */
    "CREATE TABLE intel_state ("
    "  key TEXT PRIMARY KEY,"
    "  value INTEGER NOT NULL"
    ");",

    /* 2: a version's entries are the rows first_entry..last_entry (one import is one
       transaction, so its rows are consecutive): the range replaces an index that cost as
       much as the rows themselves on a million-entry import. */
    "ALTER TABLE intel_feed_versions ADD COLUMN first_entry INTEGER;"
    "ALTER TABLE intel_feed_versions ADD COLUMN last_entry INTEGER;"
    "UPDATE intel_feed_versions SET"
    "  first_entry = (SELECT MIN(id) FROM intel_entries e WHERE e.version_id = "
    "intel_feed_versions.id),"
    "  last_entry = (SELECT MAX(id) FROM intel_entries e WHERE e.version_id = "
    "intel_feed_versions.id);"
    "DROP INDEX intel_entries_version;",
};

const struct sq_component canh__schema_intel = {"intel", steps, sizeof(steps) / sizeof(steps[0])};
