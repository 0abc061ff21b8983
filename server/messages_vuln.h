/*
 * canhd's API texts for vulnerabilities (advisories, findings, letters); part of
 * CANH_SERVER_MESSAGES (messages.h), with the same rules: X(id, english, vietnamese), same printf
 * conversions, Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_SERVER_MESSAGES_VULN_H
#define CANH_SERVER_MESSAGES_VULN_H

/* clang-format off */
#define CANH_SERVER_MESSAGES_VULN(X)
/* clang-format on */

#endif
