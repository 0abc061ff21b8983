/*
 * Internals shared by the SQLite store's files (not part of the store interface).
 */
#ifndef CANH_SERVER_STORE_SQLITE_H
#define CANH_SERVER_STORE_SQLITE_H

#include <stddef.h>

/* The numbered migrations; *n receives their count (the current schema version). */
const char *const *canh__store_migrations(size_t *n);

#endif
