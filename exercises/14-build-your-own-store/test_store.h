/*
 * test_store.h - what the store's suite shares: its files, and the tests
 * of each file, which main() in test_store.c runs in order.
 */
#ifndef TEST_STORE_H
#define TEST_STORE_H

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/store.h>
#include <esk/store_backend.h>

#include "conformance/conformance.h"
#include "exercise.h"
#include "store.h"

/* test_store.c */
void suite_remove_database(const char *path);

/* test_store_conformance.c */
esk_status suite_open_for_the_suite(esk_store **out,
                                    const esk_store_options *options,
                                    void *ctx);
void suite_remove_suite_files(void);

#endif
