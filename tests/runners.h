/*
 * tests/runners.h - runners of one projection or process manager, and
 * writers beside a slow projection, as separate processes on one store
 * under test (store_under_test.h) at where.
 */
#ifndef ESK_TESTS_RUNNERS_H
#define ESK_TESTS_RUNNERS_H

/* Three runners of one catch-up projection apply each event once. */
void runners_of_one_projection_apply_each_event_once(const char *where);

/* Three runners of one process manager react to each event once. */
void runners_of_one_process_manager_react_to_each_event_once(const char *where);

/* A writer with a short busy timeout gets through while a projection
 * with a slow handler catches up. */
void a_slow_projection_lets_writers_in(const char *where);

#endif
