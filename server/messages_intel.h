/*
 * canhd's API texts for threat intelligence (feeds, botnet lists, C2 alerts); part of
 * CANH_SERVER_MESSAGES (messages.h), with the same rules: X(id, english, vietnamese), same printf
 * conversions, Vietnamese in UTF-8 with full diacritics.
 */
#ifndef CANH_SERVER_MESSAGES_INTEL_H
#define CANH_SERVER_MESSAGES_INTEL_H

/* clang-format off */
#define CANH_SERVER_MESSAGES_INTEL(X)
/* clang-format on */

#endif
