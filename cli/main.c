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
	if (canh_httpc_global_init() != 0) {
		canh_cli_error(&c, M_ERR_INTERNAL, canh_cli_tr(&c, M_WHY_HTTP_INIT));
		return CANH_CLI_EXIT_FAIL;
	}
	int st = canh_cli_run(&c, argc, argv);
	canh_httpc_global_cleanup();
	if (fflush(stdout) != 0 && st == 0)
		st = CANH_CLI_EXIT_FAIL;
	return st;
}
