/*
 * Internals shared by lib/decode*.c (not installed).
 */
#ifndef CANH_DECODE_INTERNAL_H
#define CANH_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "canh/decode.h"
#include "canh/event.h"

/* Field names the decoders set, interned once (canh__decode_fields_init). */
#define CANH_DECODE_FIELDS(X)                                                                      \
	X(Program, "Program")                                                                      \
	X(ProcessId, "ProcessId")                                                                  \
	X(Message, "Message")                                                                      \
	X(Facility, "Facility")                                                                    \
	X(Severity, "Severity")                                                                    \
	X(MsgId, "MsgId")                                                                          \
	X(Action, "Action")                                                                        \
	X(User, "User")                                                                            \
	X(TargetUser, "TargetUser")                                                                \
	X(InvalidUser, "InvalidUser")                                                              \
	X(SourceIp, "SourceIp")                                                                    \
	X(SourcePort, "SourcePort")                                                                \
	X(DestinationIp, "DestinationIp")                                                          \
	X(DestinationPort, "DestinationPort")                                                      \
	X(Protocol, "Protocol")                                                                    \
	X(AuthMethod, "AuthMethod")                                                                \
	X(CommandLine, "CommandLine")                                                              \
	X(Image, "Image")                                                                          \
	X(ParentImage, "ParentImage")                                                              \
	X(ParentProcessId, "ParentProcessId")                                                      \
	X(CurrentDirectory, "CurrentDirectory")                                                    \
	X(Terminal, "Terminal")                                                                    \
	X(GroupName, "GroupName")                                                                  \
	X(Uid, "Uid")                                                                              \
	X(Gid, "Gid")                                                                              \
	X(Home, "Home")                                                                            \
	X(Shell, "Shell")                                                                          \
	X(Unit, "Unit")                                                                            \
	X(PamService, "PamService")                                                                \
	X(PamModule, "PamModule")                                                                  \
	X(Module, "Module")                                                                        \
	X(RulePrefix, "RulePrefix")                                                                \
	X(InterfaceIn, "InterfaceIn")                                                              \
	X(InterfaceOut, "InterfaceOut")                                                            \
	X(Initiated, "Initiated")                                                                  \
	X(Level, "Level")                                                                          \
	X(Attempts, "Attempts")                                                                    \
	X(Priority, "Priority")                                                                    \
	X(c_ip, "c-ip")                                                                            \
	X(cs_method, "cs-method")                                                                  \
	X(cs_uri, "cs-uri")                                                                        \
	X(cs_uri_stem, "cs-uri-stem")                                                              \
	X(cs_uri_query, "cs-uri-query")                                                            \
	X(cs_version, "cs-version")                                                                \
	X(sc_status, "sc-status")                                                                  \
	X(sc_bytes, "sc-bytes")                                                                    \
	X(cs_referer, "cs-referer")                                                                \
	X(cs_user_agent, "cs-user-agent")                                                          \
	X(cs_username, "cs-username")                                                              \
	X(cs_host, "cs-host")                                                                      \
	X(EventID, "EventID")                                                                      \
	X(Channel, "Channel")                                                                      \
	X(Provider_Name, "Provider_Name")                                                          \
	X(Computer, "Computer")                                                                    \
	X(a_type, "type")

struct canh__decode_fields {
#define CANH_DECODE_FIELD_MEMBER(m, name) int m;
	CANH_DECODE_FIELDS(CANH_DECODE_FIELD_MEMBER)
#undef CANH_DECODE_FIELD_MEMBER
};
extern struct canh__decode_fields canh__df;
void canh__decode_fields_init(void);

/* Set a field, ignoring a full event (it keeps what it has). */
static inline void dput(struct canh_event *ev, int id, const char *v, size_t n)
{
	(void)canh_event_set(ev, id, v, n);
}
static inline void dputs(struct canh_event *ev, int id, const char *v)
{
	(void)canh_event_set(ev, id, v, strlen(v));
}

static inline bool has_prefix(const char *p, size_t n, const char *lit, size_t ln)
{
	return n >= ln && memcmp(p, lit, ln) == 0;
}
#define HAS(p, n, lit) has_prefix((p), (n), lit, sizeof(lit) - 1)

/* The first occurrence of needle in [p, p+n), or NULL. */
static inline const char *dfind(const char *p, size_t n, const char *needle, size_t nl)
{
	return (const char *)memmem(p, n, needle, nl);
}
#define FIND(p, n, lit) dfind((p), (n), lit, sizeof(lit) - 1)
/* The last occurrence, or NULL. */
const char *canh__rfind(const char *p, size_t n, const char *needle, size_t nl);

/* Is [p, p+n) an IPv4 or IPv6 address (shape only, cheap)? */
bool canh__looks_ip(const char *p, size_t n);

/* Parse "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+hh:mm|+hhmm]" at p; returns bytes used or 0. */
size_t canh__parse_iso(const char *p, size_t n, int tz_default_min, int64_t *ms);
/* "Jan".."Dec" -> 1..12, 0 otherwise. */
int canh__month(const char *p);

/* Message decoders for syslog / journald programs (lib/decode_linux.c). */
void canh__decode_program(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *prog,
			  size_t plen, const char *msg, size_t mlen);
/* File formats. Each sets the logsource, time, fields; raw is already set. */
void canh__decode_access(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n);
void canh__decode_web_error(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			    size_t n);
void canh__decode_zimbra(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n);
void canh__decode_roundcube(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			    size_t n);
/* roundcube's message part (also reached through syslog ident "roundcube"). */
void canh__decode_roundcube_msg(struct canh_event *ev, const char *p, size_t n);
int canh__decode_journal(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n);
int canh__decode_windows(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n);
/* auditd (lib/decode_auditd.c). */
int canh__audit_line(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p, size_t n);
int canh__audit_next(struct canh_decoder_ctx *ctx, struct canh_event *ev);
int canh__audit_expire(struct canh_decoder_ctx *ctx, int64_t now_ms, bool all, bool wall);
void canh__audit_release(struct canh_decoder_ctx *ctx);

#endif
