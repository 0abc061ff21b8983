/*
 * The CLI's messages for threat intelligence: canh intel, canh botnet; part of CANH_CLI_MESSAGES
 * (messages.h), with the same rules: X(id, english, vietnamese), same printf conversions,
 * Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_CLI_MESSAGES_INTEL_H
#define CANH_CLI_MESSAGES_INTEL_H

/* clang-format off */
#define CANH_CLI_MESSAGES_INTEL(X)
/* clang-format on */

#endif
