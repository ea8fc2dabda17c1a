/*
 * timeline.c - a store on a set clock, and the morning of Bob's report.
 * Provided.
 */
#include <stdio.h>

#include <esk/decider.h>

#include "exercise.h"
#include "timeline.h"

esk_time at(const char *hhmmss)
{
    char text[ESK_TIME_TEXT_SIZE];
    esk_time time = 0;
    snprintf(text, sizeof(text), "2026-11-27T%sZ", hhmmss);
    check_status(esk_time_parse(text, &time), ESK_OK,
                 "The story's times are written \"hh:mm:ss\".");
    return time;
}

/* The store's clock: whatever time the story is at. */
static esk_time story_clock(void *ctx)
{
    const timeline *t = ctx;
    return t->now;
}

void timeline_open(timeline *t)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    *t = (timeline){.store = NULL, .now = at("08:00:00"), .commands = 0};
    options.clock = story_clock;
    options.clock_ctx = t;
    check_status(esk_store_open_memory(&t->store, &options), ESK_OK,
                 "An in-memory store should always open.");
    exercise_watch_store(t->store);
}

void timeline_close(timeline *t)
{
    esk_store_free(t->store);
    t->store = NULL;
}

void timeline_handle(timeline *t, const char *hhmmss, const char *user,
                     const workshop_command *command)
{
    char correlation[32];
    char causation[32];
    char extra[128];
    char what[160];

    t->now = at(hhmmss);
    t->commands++;
    snprintf(correlation, sizeof(correlation), "req-%d", t->commands);
    snprintf(causation, sizeof(causation), "cmd-%d", t->commands);
    snprintf(extra, sizeof(extra), "{\"user\":\"%s\"}", user);
    const esk_metadata metadata = {correlation, causation, extra};
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    options.metadata = &metadata;

    workshop_decider.describe_command(command, what, sizeof(what));
    exercise_say("%s  %s: %s", hhmmss, user, what);
    esk_status rc =
        esk_decider_handle(&workshop_decider, t->store, command->workshop_id,
                           command, &options, NULL, NULL);
    if (rc != ESK_OK)
        print_error("%s, %s: %s\n", hhmmss, what, esk_errmsg());
    check_status(rc, ESK_OK, "The story's commands should all succeed.");
}

workshop_command schedule_command(const char *workshop_id, const char *title,
                                  int64_t capacity)
{
    workshop_command c = {.kind = SCHEDULE_WORKSHOP, .capacity = capacity};
    copy_text(c.workshop_id, sizeof(c.workshop_id), workshop_id);
    copy_text(c.title, sizeof(c.title), title);
    copy_text(c.starts_on, sizeof(c.starts_on), "2026-12-01");
    return c;
}

workshop_command register_command(const char *workshop_id,
                                  const char *attendee_id, const char *name)
{
    workshop_command c = {.kind = REGISTER_ATTENDEE};
    copy_text(c.workshop_id, sizeof(c.workshop_id), workshop_id);
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    copy_text(c.name, sizeof(c.name), name);
    return c;
}

workshop_command cancel_command(const char *workshop_id,
                                const char *attendee_id)
{
    workshop_command c = {.kind = CANCEL_REGISTRATION};
    copy_text(c.workshop_id, sizeof(c.workshop_id), workshop_id);
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    return c;
}

void timeline_bobs_morning(timeline *t)
{
    const workshop_command story[] = {
        schedule_command("w-1", "Event Sourcing 101", 2),
        schedule_command("w-2", "DDD, the advanced topics", 10),
        register_command("w-1", "ada", "Ada Lovelace"),
        register_command("w-2", "ada", "Ada Lovelace"),
        register_command("w-1", "cleo", "Cleo"),
        register_command("w-1", "bob", "Bob"),
        cancel_command("w-1", "cleo"),
        cancel_command("w-2", "ada"),
        register_command("w-1", "dan", "Dan"),
    };
    /* Cleo phoned the front desk at 10:41 to cancel; her cancellation
     * was typed in, and so recorded, at 10:42:01. */
    const char *const times[] = {"09:00:00", "09:05:00", "09:15:00",
                                 "09:20:00", "10:30:00", "10:42:00",
                                 "10:42:01", "10:50:00", "11:05:00"};
    const char *const users[] = {"trainer", "trainer",   "ada", "ada", "cleo",
                                 "bob",     "frontdesk", "ada", "dan"};
    for (size_t i = 0; i < sizeof(story) / sizeof(story[0]); i++)
        timeline_handle(t, times[i], users[i], &story[i]);
}
