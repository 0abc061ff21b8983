/*
 * The Sigma loader, compiler and matcher: any bytes as a rule file, then a few
 * events through whatever loaded (correlations included).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "canh/event.h"
#include "canh/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_alert(void *arg, const struct canh_sigma_alert *a)
{
	(*(size_t *)arg)++;
	(void)a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"admins"};
	static const char *const vals[] = {"root", "admin", NULL};
	static const char *const *const values[] = {vals};
	struct canh_sigma_opts o = {names, values, 1, 8, 2};
	struct canh_sigma *s = canh_sigma_new(&o);
	canh_sigma_load(s, "fuzz", (const char *)data, size, NULL, NULL);
	if (canh_sigma_compile(s, NULL, NULL, NULL) == 0) {
		struct canh_event ev;
		canh_event_init(&ev);
		static const char *const lines[] = {
		    "Failed password for invalid user admin from 10.0.0.1 port 22 ssh2",
		    "powershell -enc SUVYIChOZXctT2JqZWN0IE5ldC5XZWJDbGllbnQp",
		    "C:\\Windows\\System32\\cmd.exe /c whoami",
		};
		size_t n = 0;
		for (int round = 0; round < 2; round++) {
			for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
				canh_event_reset(&ev);
				canh_event_set_logsource(&ev, i ? "windows" : "linux",
							 i	 ? "security"
							 : round ? "auth"
								 : "sshd",
							 i ? "process_creation" : "");
				ev.time_ms = 1000 + (int64_t)(round * 3 + i) * 1000;
				canh_event_set_raw(&ev, lines[i], strlen(lines[i]));
				canh_event_set_name(&ev, "CommandLine", lines[i], strlen(lines[i]));
				canh_event_set_name(&ev, "User", round ? "root" : "admin",
						    round ? 4 : 5);
				canh_event_set_name(&ev, "SourceIp", "10.0.0.1", 8);
				canh_event_set_name(&ev, "EventID", "4688", 4);
				canh_sigma_eval(s, &ev, on_alert, &n);
			}
		}
		canh_event_release(&ev);
	}
	canh_sigma_free(s);
	return 0;
}
