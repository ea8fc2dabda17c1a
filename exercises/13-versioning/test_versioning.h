/*
 * test_versioning.h - what the versioning suite shares: the names of the
 * database files, the chain of upcasters, and the tests of each file, which
 * main() in test_versioning.c runs in order.
 */
#ifndef TEST_VERSIONING_H
#define TEST_VERSIONING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/store.h>

#include "exercise.h"
#include "upcasters.h"
#include "workshop.h"

#define SHIPPED_NAME "old_store.db"
#define COPY_NAME "old_store_copy.db"
#define TEXT_SIZE 2048

/* test_versioning.c */
esk_upcasters *suite_workshop_upcasters(void);

/* test_versioning_old_database.c */
void the_workshop_of_release_1_loads_in_release_3(void **unused);
void every_old_registration_reads_as_v3_with_its_names(void **unused);
void reading_and_writing_never_rewrite_the_stored_events(void **unused);

#endif
