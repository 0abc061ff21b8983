/*
 * The CLI's messages for vulnerabilities: canh vuln, canh vercmp; part of CANH_CLI_MESSAGES
 * (messages.h), with the same rules: X(id, english, vietnamese), same printf conversions,
 * Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_CLI_MESSAGES_VULN_H
#define CANH_CLI_MESSAGES_VULN_H

/* clang-format off */
#define CANH_CLI_MESSAGES_VULN(X)
/* clang-format on */

#endif
