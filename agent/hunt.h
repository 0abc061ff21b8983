/*
 * The agent's side of the centralised anti-malware (docs/malware.md, docs/protocol.md):
 * a thread that asks canhd for tasks every task_poll_interval and runs them one at a time —
 * a hunt (fetch the rule set and hash list by name and version, check their SHA-256,
 * compile, scan the paths with the lib engine under the [hunt] throttling, quarantine
 * when the hunt says so) or the restore of a quarantined file. Everything it reports
 * (hunt_progress, detection, quarantine_event) goes through the spool like any message.
 *
 * State directory: scan-cache (the engine's per-file cache), quarantine/ (lib/quarantine.c),
 * tasks-done.json (the hunt runs and restores already finished, so a task the server still
 * lists before the agent's report arrives is not run twice).
 */
#ifndef CANH_AGENT_HUNT_H
#define CANH_AGENT_HUNT_H

#include <jansson.h>

#include "agent.h"

/* The thread's body: arg is the struct canh_agent; returns when *a->stop is set. */
void *canh_agent_tasks_main(void *arg);

/* Run one task object of GET /agent/tasks now (exposed for the tests). */
int canh_agent_task_run(struct canh_agent *a, const json_t *task, struct canh_errmsg *err);

#endif
