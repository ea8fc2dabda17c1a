/*
 * tests/races.h - processes racing on one store under test
 * (store_under_test.h) at where: a SQLite file or a PostgreSQL schema.
 */
#ifndef ESK_TESTS_RACES_H
#define ESK_TESTS_RACES_H

/* condition_race.c: six writers claim seats with conditional appends;
 * each seat goes to exactly one. */
void writers_race_for_seats(const char *where);

/* close_race.c: appenders race a closer; no append lands after a close. */
void appends_race_a_close(const char *where);

#endif
