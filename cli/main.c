/*
 * canh — the administration CLI of canh. Everything is in the other files
 * of cli/ (canh_core), so the tests can run the same code.
 */
#include "canh/httpc.h"
#include "cli.h"

int main(int argc, char **argv)
{
	struct canh_cli c;
	canh_cli_init(&c);
	/* libcurl is set up by the first request (cli/client.c); its cleanup is a no-op without. */
	int st = canh_cli_run(&c, argc, argv);
	canh_httpc_global_cleanup();
	if (fflush(stdout) != 0 && st == 0)
		st = CANH_CLI_EXIT_FAIL;
	return st;
}
