/*
 * JSON formats: journalctl -o json records and Windows events as the common
 * EVTX-to-JSON converters write them (evtx_dump -o json with "#attributes",
 * python-evtx / xmltodict with "@Name", Winlogbeat's "winlog").
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "canh/decode.h"
#include "decode_internal.h"

#define F (&canh__df)

static json_t *parse(struct canh_decoder_ctx *ctx, const char *p, size_t n)
{
	json_error_t err;
	json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &err);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		ctx->stats.json_errors++;
		return NULL;
	}
	return j;
}

/* A scalar as text in buf (strings are returned as they are). */
static const char *scalar(json_t *v, char *buf, size_t bsz, size_t *len)
{
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	int n;
	if (json_is_integer(v))
		n = snprintf(buf, bsz, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		n = snprintf(buf, bsz, "%.17g", json_real_value(v));
	else if (json_is_true(v))
		n = snprintf(buf, bsz, "true");
	else if (json_is_false(v))
		n = snprintf(buf, bsz, "false");
	else if (json_is_null(v))
		n = 0;
	else
		return NULL;
	*len = n < 0 ? 0 : (size_t)n;
	return buf;
}

static void put_json(struct canh_event *ev, int id, json_t *v)
{
	char tmp[64];
	size_t l;
	const char *s = scalar(v, tmp, sizeof(tmp), &l);
	if (s && id >= 0)
		dput(ev, id, s, l);
}

static const char *sev_names[8] = {"emerg",   "alert",	"crit", "err",
				   "warning", "notice", "info", "debug"};

/* MESSAGE may be a string or, when not UTF-8, an array of byte values. */
static const char *journal_message(struct canh_decoder_ctx *ctx, json_t *m, size_t *len)
{
	if (json_is_string(m)) {
		*len = json_string_length(m);
		return json_string_value(m);
	}
	if (!json_is_array(m))
		return NULL;
	size_t k = 0, i;
	json_t *b;
	json_array_foreach(m, i, b)
	{
		if (k >= CANH_DECODE_LINE_MAX)
			break;
		ctx->scratch[k++] = (char)(json_integer_value(b) & 0xff);
	}
	*len = k;
	return ctx->scratch;
}

int canh__decode_journal(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n)
{
	canh_event_set_logsource(ev, "linux", "syslog", NULL);
	json_t *j = parse(ctx, p, n);
	if (!j)
		return CANH_DECODE_EVENT;
	const char *s;
	size_t l = 0;
	json_t *v;
	if ((v = json_object_get(j, "__REALTIME_TIMESTAMP")) && json_is_string(v)) {
		long long us = 0;
		for (s = json_string_value(v); *s >= '0' && *s <= '9' && us < 1000000000000000000LL;
		     s++)
			us = us * 10 + (*s - '0');
		ev->time_ms = us / 1000;
	}
	if ((v = json_object_get(j, "_HOSTNAME")) && json_is_string(v))
		(void)canh_event_set_host(ev, json_string_value(v), json_string_length(v));
	if ((v = json_object_get(j, "_PID")))
		put_json(ev, F->ProcessId, v);
	if ((v = json_object_get(j, "PRIORITY")) && json_is_string(v)) {
		const char *ps = json_string_value(v);
		if (ps[0] >= '0' && ps[0] <= '7' && !ps[1])
			dputs(ev, F->Severity, sev_names[ps[0] - '0']);
	}
	json_t *ident = json_object_get(j, "SYSLOG_IDENTIFIER");
	if (!json_is_string(ident))
		ident = json_object_get(j, "_COMM");
	json_t *tr = json_object_get(j, "_TRANSPORT");
	bool kernel = json_is_string(tr) && strcmp(json_string_value(tr), "kernel") == 0;
	const char *msg = journal_message(ctx, json_object_get(j, "MESSAGE"), &l);
	if (!msg) {
		msg = "";
		l = 0;
	}
	if (kernel) {
		dput(ev, F->Program, "kernel", 6);
		canh__decode_program(ctx, ev, "kernel", 6, msg, l);
	} else if (json_is_string(ident)) {
		dput(ev, F->Program, json_string_value(ident), json_string_length(ident));
		canh__decode_program(ctx, ev, json_string_value(ident), json_string_length(ident),
				     msg, l);
	} else {
		dput(ev, F->Message, msg, l);
	}
	if (!canh_event_get(ev, F->Unit, NULL)) {
		v = json_object_get(j, "UNIT");
		if (!json_is_string(v))
			v = json_object_get(j, "_SYSTEMD_UNIT");
		if (json_is_string(v))
			put_json(ev, F->Unit, v);
		else if (ctx->src && ctx->src->unit)
			dputs(ev, F->Unit, ctx->src->unit);
	}
	if (!canh_event_get(ev, F->Image, NULL) && (v = json_object_get(j, "_EXE")))
		put_json(ev, F->Image, v);
	if (!canh_event_get(ev, F->CommandLine, NULL) && (v = json_object_get(j, "_CMDLINE")))
		put_json(ev, F->CommandLine, v);
	if (!canh_event_get(ev, F->Uid, NULL) && (v = json_object_get(j, "_UID")))
		put_json(ev, F->Uid, v);
	json_decref(j);
	return CANH_DECODE_EVENT;
}

/* Windows ---------------------------------------------------------------- */

/* An attribute of an element: {"#attributes": {name}} or {"@name"} or {name}. */
static json_t *attr(json_t *o, const char *name)
{
	if (!json_is_object(o))
		return NULL;
	json_t *a = json_object_get(json_object_get(o, "#attributes"), name);
	if (a)
		return a;
	char at[64];
	snprintf(at, sizeof(at), "@%s", name);
	if ((a = json_object_get(o, at)))
		return a;
	return json_object_get(o, name);
}

/* An element's text: the scalar itself or its "#text" / "text" / "Value". */
static json_t *text(json_t *o)
{
	if (!json_is_object(o))
		return o;
	json_t *t = json_object_get(o, "#text");
	if (!t)
		t = json_object_get(o, "text");
	if (!t)
		t = json_object_get(o, "Value");
	return t;
}

static bool skip_key(const char *k)
{
	return k[0] == '#' || k[0] == '@' || strncmp(k, "xmlns", 5) == 0;
}

static void put_named(struct canh_event *ev, const char *name, json_t *v)
{
	char tmp[64];
	size_t l;
	if (json_is_array(v)) {
		/* A list of values (evtx_dump's unnamed Data): joined with commas. */
		struct canh_event *e2 = ev;
		int id = canh_field_id(name);
		if (id < 0)
			return;
		char buf[1024];
		size_t k = 0, i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			const char *s = scalar(x, tmp, sizeof(tmp), &l);
			if (!s)
				continue;
			if (k && k < sizeof(buf))
				buf[k++] = ',';
			size_t c = l < sizeof(buf) - k ? l : sizeof(buf) - k;
			memcpy(buf + k, s, c);
			k += c;
		}
		dput(e2, id, buf, k);
		return;
	}
	const char *s = scalar(v, tmp, sizeof(tmp), &l);
	if (!s)
		return;
	int id = canh_field_id(name);
	if (id >= 0)
		dput(ev, id, s, l);
}

/* Flatten EventData / UserData / winlog.event_data into fields. */
static void flatten(struct canh_event *ev, json_t *d, int depth)
{
	if (!json_is_object(d) || depth > 3)
		return;
	const char *k;
	json_t *v;
	json_object_foreach(d, k, v)
	{
		if (skip_key(k))
			continue;
		if (strcmp(k, "Data") == 0) {
			json_t *items = v;
			if (json_is_object(v) && attr(v, "Name"))
				items = NULL;
			if (json_is_array(items)) {
				size_t i;
				json_t *it;
				json_array_foreach(items, i, it)
				{
					json_t *nm = attr(it, "Name");
					if (json_is_string(nm))
						put_named(ev, json_string_value(nm), text(it));
				}
				continue;
			}
			if (!items) {
				json_t *nm = attr(v, "Name");
				if (json_is_string(nm))
					put_named(ev, json_string_value(nm), text(v));
				continue;
			}
			if (json_is_object(v)) {
				put_named(ev, "Data", text(v));
				continue;
			}
		}
		if (json_is_object(v)) {
			json_t *t = json_object_get(v, "#text");
			if (t)
				put_named(ev, k, t);
			else
				flatten(ev, v, depth + 1);
		} else {
			put_named(ev, k, v);
		}
	}
}

struct win_map {
	const char *channel, *service;
};
static const struct win_map channels[] = {
    {"Security", "security"},
    {"System", "system"},
    {"Application", "application"},
    {"Microsoft-Windows-Sysmon/Operational", "sysmon"},
    {"Windows PowerShell", "powershell-classic"},
    {"Microsoft-Windows-PowerShell/Operational", "powershell"},
    {"PowerShellCore/Operational", "powershell"},
    {"Microsoft-Windows-TaskScheduler/Operational", "taskscheduler"},
    {"Microsoft-Windows-Windows Defender/Operational", "windefend"},
    {"Microsoft-Windows-WMI-Activity/Operational", "wmi"},
    {"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
     "terminalservices-localsessionmanager"},
    {"Microsoft-Windows-Bits-Client/Operational", "bits-client"},
    {"Microsoft-Windows-CodeIntegrity/Operational", "codeintegrity-operational"},
    {"Microsoft-Windows-DNS-Client/Operational", "dns-client"},
    {"Microsoft-Windows-NTLM/Operational", "ntlm"},
    {"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", "firewall-as"},
    {"Microsoft-Windows-AppLocker/EXE and DLL", "applocker"},
    {"Microsoft-Windows-AppLocker/MSI and Script", "applocker"},
    {"Microsoft-Windows-OpenSSH/Operational", "openssh"},
    {"Microsoft-Windows-Shell-Core/Operational", "shell-core"},
    {"Microsoft-Windows-SMBClient/Security", "smbclient-security"},
    {"Microsoft-Windows-DriverFrameworks-UserMode/Operational", "driver-framework"},
    {"Microsoft-Windows-LDAP-Client/Debug", "ldap_debug"},
    {"Directory Service", "directory-service"},
    {"DNS Server", "dns-server"},
};

static const char *const sysmon_cat[30] = {
    [1] = "process_creation",
    [2] = "file_change",
    [3] = "network_connection",
    [4] = "sysmon_status",
    [5] = "process_termination",
    [6] = "driver_load",
    [7] = "image_load",
    [8] = "create_remote_thread",
    [9] = "raw_access_thread",
    [10] = "process_access",
    [11] = "file_event",
    [12] = "registry_add",
    [13] = "registry_set",
    [14] = "registry_rename",
    [15] = "create_stream_hash",
    [16] = "sysmon_status",
    [17] = "pipe_created",
    [18] = "pipe_created",
    [19] = "wmi_event",
    [20] = "wmi_event",
    [21] = "wmi_event",
    [22] = "dns_query",
    [23] = "file_delete",
    [24] = "clipboard_change",
    [25] = "process_tampering",
    [26] = "file_delete_detected",
    [27] = "file_block_executable",
    [28] = "file_block_shredding",
    [29] = "file_executable_detected",
};

static long long get_int(json_t *v)
{
	v = text(v);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v)) {
		long long x = 0;
		const char *s = json_string_value(v);
		if (!*s)
			return -1;
		for (; *s; s++) {
			if (*s < '0' || *s > '9' || x > 100000000)
				return -1;
			x = x * 10 + (*s - '0');
		}
		return x;
	}
	return -1;
}

/* Copy a field under a Sigma name when the event has the original. */
static void alias(struct canh_event *ev, const char *from, int to)
{
	int id = canh_field_lookup(from, strlen(from));
	size_t l;
	const char *v = id >= 0 ? canh_event_get(ev, id, &l) : NULL;
	if (v && !canh_event_get(ev, to, NULL))
		dput(ev, to, v, l);
}

static void map_windows(struct canh_event *ev, const char *channel, const char *provider,
			long long eid)
{
	const char *svc = "";
	for (size_t i = 0; channel && i < sizeof(channels) / sizeof(channels[0]); i++) {
		if (strcmp(channel, channels[i].channel) == 0) {
			svc = channels[i].service;
			break;
		}
	}
	const char *cat = "";
	bool sysmon = (provider && strcmp(provider, "Microsoft-Windows-Sysmon") == 0) ||
		      strcmp(svc, "sysmon") == 0;
	if (sysmon && eid > 0 && eid < 30 && sysmon_cat[eid]) {
		cat = sysmon_cat[eid];
		if (eid == 12) {
			int id = canh_field_lookup("EventType", 9);
			size_t l;
			const char *v = id >= 0 ? canh_event_get(ev, id, &l) : NULL;
			if (v && l == 9 && memcmp(v, "DeleteKey", 9) == 0)
				cat = "registry_delete";
		}
	} else if (strcmp(svc, "security") == 0 && eid == 4688) {
		cat = "process_creation";
		alias(ev, "NewProcessName", F->Image);
		alias(ev, "ParentProcessName", F->ParentImage);
		/* 4688's ProcessId is the creator's: it becomes ParentProcessId. */
		alias(ev, "ProcessId", F->ParentProcessId);
		int np = canh_field_lookup("NewProcessId", 12);
		size_t npl;
		const char *npv = np >= 0 ? canh_event_get(ev, np, &npl) : NULL;
		if (npv)
			dput(ev, F->ProcessId, npv, npl);
		int du = canh_field_lookup("SubjectDomainName", 17);
		int un = canh_field_lookup("SubjectUserName", 15);
		size_t dl = 0, ul = 0;
		const char *d = du >= 0 ? canh_event_get(ev, du, &dl) : NULL;
		const char *u = un >= 0 ? canh_event_get(ev, un, &ul) : NULL;
		if (u && d && dl && dl + ul + 1 < 512) {
			char tmp[512];
			memcpy(tmp, d, dl);
			tmp[dl] = '\\';
			memcpy(tmp + dl + 1, u, ul);
			dput(ev, F->User, tmp, dl + ul + 1);
		} else if (u) {
			dput(ev, F->User, u, ul);
		}
	} else if (strcmp(svc, "powershell") == 0 && eid == 4104) {
		cat = "ps_script";
	} else if (strcmp(svc, "powershell") == 0 && eid == 4103) {
		cat = "ps_module";
	} else if (strcmp(svc, "powershell-classic") == 0 && eid == 400) {
		cat = "ps_classic_start";
	} else if (strcmp(svc, "powershell-classic") == 0 && eid == 600) {
		cat = "ps_classic_provider_start";
	} else if (strcmp(svc, "powershell-classic") == 0 && eid == 800) {
		cat = "ps_classic_script";
	}
	canh_event_set_logsource(ev, "windows", svc, cat);
}

int canh__decode_windows(struct canh_decoder_ctx *ctx, struct canh_event *ev, const char *p,
			 size_t n)
{
	canh_event_set_logsource(ev, "windows", "", "");
	json_t *j = parse(ctx, p, n);
	if (!j)
		return CANH_DECODE_EVENT;
	json_t *root = json_object_get(j, "Event");
	if (!json_is_object(root))
		root = j;
	json_t *sys = json_object_get(root, "System");
	json_t *winlog = json_object_get(j, "winlog");
	const char *channel = NULL, *provider = NULL;
	long long eid = -1;
	json_t *v;
	if (json_is_object(sys)) {
		eid = get_int(json_object_get(sys, "EventID"));
		v = json_object_get(sys, "Channel");
		channel = json_is_string(text(v)) ? json_string_value(text(v)) : NULL;
		v = json_object_get(sys, "Provider");
		v = json_is_object(v) ? attr(v, "Name") : v;
		provider = json_is_string(v) ? json_string_value(v) : NULL;
		v = text(json_object_get(sys, "Computer"));
		if (json_is_string(v))
			(void)canh_event_set_host(ev, json_string_value(v), json_string_length(v));
		v = json_object_get(sys, "TimeCreated");
		v = json_is_object(v) ? attr(v, "SystemTime") : v;
		int64_t t;
		if (json_is_string(v) &&
		    canh__parse_iso(json_string_value(v), json_string_length(v), 0, &t))
			ev->time_ms = t;
		flatten(ev, json_object_get(root, "EventData"), 0);
		flatten(ev, json_object_get(root, "UserData"), 0);
	} else if (json_is_object(winlog)) {
		eid = get_int(json_object_get(winlog, "event_id"));
		v = json_object_get(winlog, "channel");
		channel = json_is_string(v) ? json_string_value(v) : NULL;
		v = json_object_get(winlog, "provider_name");
		provider = json_is_string(v) ? json_string_value(v) : NULL;
		v = json_object_get(winlog, "computer_name");
		if (json_is_string(v))
			(void)canh_event_set_host(ev, json_string_value(v), json_string_length(v));
		v = json_object_get(j, "@timestamp");
		int64_t t;
		if (json_is_string(v) &&
		    canh__parse_iso(json_string_value(v), json_string_length(v), 0, &t))
			ev->time_ms = t;
		flatten(ev, json_object_get(winlog, "event_data"), 0);
		flatten(ev, json_object_get(winlog, "user_data"), 0);
	}
	if (eid >= 0) {
		canh_event_set_int(ev, F->EventID, eid);
	}
	if (channel)
		dputs(ev, F->Channel, channel);
	if (provider)
		dputs(ev, F->Provider_Name, provider);
	size_t hl;
	const char *h = canh_event_host(ev, &hl);
	if (h)
		dput(ev, F->Computer, h, hl);
	map_windows(ev, channel, provider, eid);
	json_decref(j);
	return CANH_DECODE_EVENT;
}
