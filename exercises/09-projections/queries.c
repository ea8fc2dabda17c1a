/*
 * queries.c - what the screens ask, answered from the read model alone.
 * YOU EDIT THIS FILE.
 *
 * read_models.h says what each query returns. Each is one SELECT on one
 * table, prepared with esk_read_model_prepare() (which refuses anything
 * but reading the read model), then the usual SQLite loop:
 *
 *   while (n < max && sqlite3_step(stmt) == SQLITE_ROW) { copy row n }
 *   sqlite3_finalize(stmt);
 *
 * copy_column() copies a text column into a char array;
 * sqlite3_column_int64() reads a number.
 */
#include "exercise.h"
#include "read_models.h"

esk_status catalogue_list(esk_read_model *read_model, catalogue_entry *entries,
                          size_t max, size_t *count)
{
    (void)read_model, (void)entries, (void)max;
    *count = 0;
    /* TODO: SELECT workshop_id, title, starts_on, seats_left,
     * waitlist_length FROM catalogue, soonest first; copy each row into
     * the next entry, at most max; *count = how many. */
    return EXERCISE_TODO("catalogue_list");
}

esk_status agenda_for(esk_read_model *read_model, const char *attendee_id,
                      agenda_entry *entries, size_t max, size_t *count)
{
    (void)read_model, (void)attendee_id, (void)entries, (void)max;
    *count = 0;
    /* TODO: the attendee's rows of agenda (WHERE attendee_id = ?1, bound
     * with sqlite3_bind_text), soonest first; copy each into the next
     * entry, at most max; *count = how many. */
    return EXERCISE_TODO("agenda_for");
}
