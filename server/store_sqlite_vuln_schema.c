/*
 * The schema of the "vuln" area (vulnerabilities: advisories, findings, letters), as numbered
 * migrations (see struct sq_component in store_sqlite.h). Never edit a step that has shipped: add
 * one at the end.
 *
 * vuln_imports      one row per import of a file (name, sha256, format, counts)
 * vuln_advisories   advisories by (source, id): a source is what one import replaces
 *                   ("debian-tracker", "kev", "osv:FILENAME", "letter:NUMBER")
 * vuln_affected     what an advisory affects: ecosystem and release, package, source-or-binary,
 *                   version order, status, ranges (OSV events), fixed version
 * vuln_kev          CISA Known Exploited Vulnerabilities, by CVE
 * vuln_letters      the authority's letters (their products are advisories of source "letter:N")
 * vuln_findings     (host, advisory, package) as lib/vulnmatch.c found it, with the KEV flag
 *                   and the letters naming it, and the lifecycle open → fixed | accepted
 * vuln_dirty        hosts waiting to be matched again (written in the ingest or import
 *                   transaction, removed by the matcher in the transaction of its findings:
 *                   at-least-once matching across crashes)
 * host_software     the inventory's "software" section (applications found outside the package
 *                   managers, e.g. Zimbra), replaced like the other sections, with its seq in
 *                   vuln_host_state
 */
#include <stddef.h>

#include "store_sqlite.h"

static const char *const steps[] = {
    /* 1: advisories, findings, letters, host software */
    "CREATE TABLE vuln_imports ("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL,"
    "  format TEXT NOT NULL,"
    "  filename TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  imported_at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  advisories INTEGER NOT NULL DEFAULT 0,"
    "  affected INTEGER NOT NULL DEFAULT 0,"
    "  kev INTEGER NOT NULL DEFAULT 0,"
    "  letters INTEGER NOT NULL DEFAULT 0,"
    "  skipped INTEGER NOT NULL DEFAULT 0,"
    "  duration_ms INTEGER NOT NULL DEFAULT 0"
    ");"

    "CREATE TABLE vuln_advisories ("
    "  id INTEGER PRIMARY KEY,"
    "  source TEXT NOT NULL,"
    "  advisory TEXT NOT NULL,"
    "  format TEXT NOT NULL,"
    "  cve TEXT,"
    "  aliases TEXT NOT NULL DEFAULT '[]',"
    "  severity TEXT,"
    "  cvss REAL,"
    "  cvss_vector TEXT,"
    "  published INTEGER,"
    "  summary TEXT,"
    "  refs TEXT NOT NULL DEFAULT '[]',"
    "  import_id INTEGER NOT NULL REFERENCES vuln_imports(id),"
    "  UNIQUE (source, advisory)"
    ");"
    "CREATE INDEX vuln_advisories_advisory ON vuln_advisories(advisory);"
    "CREATE INDEX vuln_advisories_cve ON vuln_advisories(cve);"

    /* One row per affected entry of the model (lib/canh/advisory.h), enough to rebuild
       the matcher's index from the store alone. */
    "CREATE TABLE vuln_affected ("
    "  advisory_id INTEGER NOT NULL REFERENCES vuln_advisories(id) ON DELETE CASCADE,"
    "  ecosystem TEXT NOT NULL,"
    "  ecosystem_raw TEXT,"
    "  release TEXT,"
    "  package TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('source', 'binary', 'software')),"
    "  vendor TEXT,"
    "  ord TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  fixed TEXT,"
    "  severity TEXT,"
    "  urgency TEXT,"
    "  ranges TEXT NOT NULL DEFAULT '[]',"
    "  versions TEXT NOT NULL DEFAULT '[]'"
    ");"
    "CREATE INDEX vuln_affected_pkg ON vuln_affected(package, ecosystem);"
    "CREATE INDEX vuln_affected_adv ON vuln_affected(advisory_id);"

    "CREATE TABLE vuln_kev ("
    "  cve TEXT PRIMARY KEY,"
    "  vendor TEXT, product TEXT, name TEXT, required_action TEXT, notes TEXT,"
    "  date_added TEXT, due_date TEXT, date_added_ms INTEGER, due_date_ms INTEGER,"
    "  ransomware INTEGER NOT NULL DEFAULT 0,"
    "  import_id INTEGER NOT NULL REFERENCES vuln_imports(id)"
    ");"

    "CREATE TABLE vuln_letters ("
    "  number TEXT PRIMARY KEY,"
    "  date TEXT, date_ms INTEGER,"
    "  issuer TEXT,"
    "  title TEXT,"
    "  deadline TEXT, deadline_ms INTEGER,"
    "  severity TEXT,"
    "  cves TEXT NOT NULL DEFAULT '[]',"
    "  products TEXT NOT NULL DEFAULT '[]',"
    "  import_id INTEGER NOT NULL REFERENCES vuln_imports(id)"
    ");"
    "CREATE TABLE vuln_findings ("
    "  id INTEGER PRIMARY KEY,"
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  advisory TEXT NOT NULL,"
    "  cve TEXT,"
    "  source TEXT NOT NULL,"
    "  package TEXT NOT NULL,"
    "  source_package TEXT,"
    "  kind TEXT NOT NULL CHECK (kind IN ('package', 'software')),"
    "  installed_version TEXT NOT NULL,"
    "  fixed_version TEXT,"
    "  release TEXT,"
    "  severity TEXT,"
    "  match TEXT NOT NULL DEFAULT 'affected',"
    "  kev INTEGER NOT NULL DEFAULT 0,"
    "  kev_due TEXT,"
    "  letters TEXT NOT NULL DEFAULT '[]',"
    "  status TEXT NOT NULL CHECK (status IN ('open', 'fixed', 'accepted')),"
    "  opened_at INTEGER NOT NULL,"
    "  fixed_at INTEGER,"
    "  accepted_at INTEGER,"
    "  accepted_by TEXT,"
    "  accept_reason TEXT,"
    "  last_matched_at INTEGER NOT NULL,"
    "  seen INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (agent_id, advisory, package)"
    ");"
    "CREATE INDEX vuln_findings_cve ON vuln_findings(cve);"
    "CREATE INDEX vuln_findings_status ON vuln_findings(status, agent_id);"

    "CREATE TABLE vuln_dirty ("
    "  agent_id INTEGER PRIMARY KEY REFERENCES agents(id),"
    "  gen INTEGER NOT NULL DEFAULT 1,"
    "  since INTEGER NOT NULL"
    ");"

    "CREATE TABLE vuln_host_state ("
    "  agent_id INTEGER PRIMARY KEY REFERENCES agents(id),"
    "  software_seq INTEGER NOT NULL DEFAULT 0,"
    "  matched_at INTEGER"
    ");"
    "CREATE TABLE host_software ("
    "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
    "  name TEXT NOT NULL, version TEXT NOT NULL, vendor TEXT, path TEXT, evidence TEXT"
    ");"
    "CREATE INDEX host_software_agent ON host_software(agent_id);",

    /* 2: matching reads the store whole (lib/vulnmatch's index), never by package or CVE:
       these indexes only slowed a tracker's import (a random insert each per row). */
    "DROP INDEX vuln_affected_pkg;"
    "DROP INDEX vuln_advisories_advisory;"
    "DROP INDEX vuln_advisories_cve;",
};

const struct sq_component canh__schema_vuln = {"vuln", steps, sizeof(steps) / sizeof(steps[0])};
