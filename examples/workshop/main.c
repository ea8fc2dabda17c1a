/*
 * examples/workshop/main.c - a small CQRS / Event Sourcing application
 * with a command line, on a SQLite file or a PostgreSQL database.
 *
 *   workshop-demo demo                         a scripted story, verbose
 *   workshop-demo schedule w-1 "ES 101" 2026-12-01 2
 *   workshop-demo register w-1 ada "Ada Lovelace"
 *   workshop-demo catalogue                    query the read model
 *   workshop-demo events                       the story, as stored
 *   workshop-demo --pg "dbname=app" demo       the same, on PostgreSQL
 *
 * Every run opens the store, sends at most one command through the bus,
 * then lets the catch-up projections and the waitlist process manager
 * follow the new events, and prints what happened at each step: commands
 * going in, events being stored, projections catching up, queries.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/command_bus.h>
#include <esk/process.h>
#include <esk/projection.h>
#include <esk/store.h>
#ifdef ESK_HAVE_POSTGRES
#include <esk/store_postgres.h>
#endif

#include "read_models.h"
#include "workshop.h"

typedef struct app {
    esk_store *store;
    esk_bus *bus;
    read_side queries;
    esk_catchup *catalogue;
    esk_catchup *agenda;
    esk_process_runner *waitlist;
    esk_log_sink log;
    int steps;
} app;

/* --- what the room sees ------------------------------------------------------
 */

static void say(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    fflush(stdout);
}

static void log_command(void *ctx, const char *line)
{
    (void)ctx;
    say("  command   %s\n", line);
}

static void show_events(void *ctx, const esk_event *events, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        say("  event     %s v%lld @%lld %s %s\n", events[i].stream_id,
            (long long)events[i].version, (long long)events[i].position,
            events[i].type, events[i].data);
}

/* --- the one command handler: a decider does the work -----------------------
 */

static esk_status handle_workshop_command(esk_context *ctx,
                                          const esk_command *command,
                                          void *data)
{
    (void)data;
    const workshop_command *c = command->payload;
    return esk_context_handle(ctx, &workshop_decider, c->workshop_id, c);
}

/* --- the waitlist process: a freed seat goes to the first in line ------------
 */

static esk_status promote_on_cancellation(void *ctx, esk_process_context *pc,
                                          const esk_event *event)
{
    (void)ctx;
    registration_cancelled e;
    esk_status rc =
        esk_codec_decode_event(&registration_cancelled_type, event, &e);
    if (rc != ESK_OK)
        return esk_process_fail(pc, rc, "%s", esk_errmsg());
    if (e.was_waitlisted)
        return ESK_OK; /* no seat was freed */
    workshop_command promote = {.kind = PROMOTE_FROM_WAITLIST};
    memcpy(promote.workshop_id, e.workshop_id, ID_SIZE);
    esk_command command = {
        .type = workshop_command_name(PROMOTE_FROM_WAITLIST),
        .payload = &promote,
    };
    esk_command_result result;
    rc = esk_process_send(pc, &command, NULL, &result);
    /* Nobody waiting is an answer, not a failure. */
    return rc == ESK_EDOMAIN ? ESK_OK : rc;
}

static const char *const waitlist_events[] = {"RegistrationCancelled"};

static const esk_process waitlist_process = {
    .name = "waitlist",
    .event_types = waitlist_events,
    .event_type_count = 1,
    .react = promote_on_cancellation,
};

/* --- setting up and tearing down
 * ---------------------------------------------- */

static void app_close(app *a)
{
    esk_process_runner_free(a->waitlist);
    esk_catchup_free(a->agenda);
    esk_catchup_free(a->catalogue);
    read_side_close(&a->queries);
    esk_bus_free(a->bus);
    esk_store_free(a->store);
}

/* The store is a SQLite file, or a PostgreSQL database when conninfo is
 * given. */
static esk_status open_store(app *a, const char *path, const char *conninfo)
{
    if (conninfo == NULL)
        return esk_store_open_sqlite(&a->store, path, NULL);
#ifdef ESK_HAVE_POSTGRES
    return esk_store_open_postgres(&a->store, conninfo, NULL);
#else
    return esk_error_set(
        ESK_EINVAL,
        "--pg: this build has no PostgreSQL backend (configured without "
        "libpq): install libpq-dev and configure again (ESK_WITH_POSTGRES "
        "AUTO or ON), or use --db FILE");
#endif
}

static int app_open(app *a, const char *path, const char *conninfo)
{
    memset(a, 0, sizeof(*a));
    a->log = (esk_log_sink){log_command, NULL};

    if (open_store(a, path, conninfo) != ESK_OK) {
        fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
        return 1;
    }
    esk_middleware logging = esk_logging_middleware(&a->log);
    esk_middleware idempotency = esk_idempotency_middleware();
    esk_middleware retry = esk_retry_middleware(NULL);
    const workshop_command_kind kinds[] = {
        SCHEDULE_WORKSHOP, REGISTER_ATTENDEE, CANCEL_REGISTRATION,
        PROMOTE_FROM_WAITLIST, CLOSE_REGISTRATION};
    bool ok = esk_bus_new(&a->bus, a->store) == ESK_OK &&
              esk_bus_use(a->bus, &logging) == ESK_OK &&
              esk_bus_use(a->bus, &idempotency) == ESK_OK &&
              esk_bus_use(a->bus, &retry) == ESK_OK;
    for (size_t i = 0; ok && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        ok = esk_bus_register(a->bus, workshop_command_name(kinds[i]),
                              handle_workshop_command, NULL) == ESK_OK;
    if (!ok) {
        fprintf(stderr, "workshop-demo: setting up the bus: %s\n",
                esk_errmsg());
        return 1;
    }
    if (esk_catchup_new(&a->catalogue, a->store, &catalogue_projection, NULL) !=
            ESK_OK ||
        esk_catchup_new(&a->agenda, a->store, &agenda_projection, NULL) !=
            ESK_OK) {
        fprintf(stderr, "workshop-demo: setting up projections: %s\n",
                esk_errmsg());
        return 1;
    }
    if (esk_process_runner_new(&a->waitlist, a->store, a->bus,
                               &waitlist_process) != ESK_OK ||
        read_side_open(&a->queries, a->store) != ESK_OK) {
        fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
        return 1;
    }
    esk_store_subscribe(a->store, show_events, NULL);
    return 0;
}

/* Let the read side follow: the projections catch up, the process manager
 * reacts (which may write more events), until nothing is left to do. */
static int follow(app *a)
{
    for (int round = 0; round < 10; round++) {
        esk_catchup_status st;
        size_t reacted = 0;
        if (esk_catchup_run(a->catalogue, &st) != ESK_OK) {
            fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
            return 1;
        }
        if (st.applied > 0)
            say("  project   catalogue: %zu event(s), checkpoint @%lld\n",
                st.applied, (long long)st.checkpoint);
        if (esk_catchup_run(a->agenda, &st) != ESK_OK) {
            fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
            return 1;
        }
        if (st.applied > 0)
            say("  project   agenda: %zu event(s), checkpoint @%lld\n",
                st.applied, (long long)st.checkpoint);
        if (esk_process_run(a->waitlist, &reacted) != ESK_OK) {
            fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
            return 1;
        }
        if (reacted == 0)
            return 0;
        say("  process   waitlist: reacted to %zu event(s)\n", reacted);
    }
    return 0;
}

/* --- commands and queries
 * ------------------------------------------------------- */

/* Send one command; its id is given (to show idempotency) or fresh. */
static int send(app *a, workshop_command c, const char *id)
{
    char fresh[ESK_EVENT_ID_LEN + 1];
    if (id == NULL) {
        esk_uuid_v4(fresh);
        id = fresh;
    }
    esk_command command = {
        .type = workshop_command_name(c.kind),
        .id = id,
        .payload = &c,
    };
    esk_command_result result;
    esk_status rc = esk_bus_dispatch(a->bus, &command, &result);
    if (rc != ESK_OK && rc != ESK_EDOMAIN) {
        fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
        return 1;
    }
    return follow(a);
}

static int query_catalogue(app *a)
{
    say("  query     ");
    if (print_catalogue(&a->queries) != ESK_OK) {
        fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
        return 1;
    }
    return 0;
}

static int query_agenda(app *a, const char *attendee)
{
    say("  query     %s's ", attendee);
    if (print_agenda(&a->queries, attendee) != ESK_OK) {
        fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
        return 1;
    }
    return 0;
}

static int list_events(app *a, const char *stream)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    esk_status rc = stream
                        ? esk_store_read_stream(a->store, stream, 1, 0, &list)
                        : esk_store_read_all(a->store, 0, 0, NULL, &list);
    if (rc != ESK_OK) {
        fprintf(stderr, "workshop-demo: %s\n", esk_errmsg());
        return 1;
    }
    for (size_t i = 0; i < list.count; i++) {
        const esk_event *e = &list.events[i];
        char when[ESK_TIME_TEXT_SIZE];
        esk_time_format(e->recorded_at, when);
        say("@%-4lld %s v%lld %s %s %s %s\n", (long long)e->position,
            e->stream_id, (long long)e->version, when, e->type, e->data,
            e->metadata);
    }
    esk_event_list_release(&list);
    return 0;
}

static workshop_command make(workshop_command_kind kind, const char *workshop,
                             const char *attendee, const char *name)
{
    workshop_command c = {.kind = kind};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop);
    snprintf(c.attendee_id, sizeof(c.attendee_id), "%s", attendee);
    snprintf(c.name, sizeof(c.name), "%s", name);
    return c;
}

static void step(app *a, const char *what)
{
    say("\n%d. %s\n", ++a->steps, what);
}

/* The story the trainer tells with it. */
static int demo(app *a)
{
    workshop_command schedule = make(SCHEDULE_WORKSHOP, "w-1", "", "");
    snprintf(schedule.title, sizeof(schedule.title), "Event Sourcing 101");
    snprintf(schedule.starts_on, sizeof(schedule.starts_on), "2026-12-01");
    schedule.capacity = 2;

    step(a, "The trainer schedules a workshop with two seats.");
    if (send(a, schedule, NULL))
        return 1;
    step(a, "Ada and Bob register and take the seats; Cleo is waitlisted.");
    workshop_command ada = make(REGISTER_ATTENDEE, "w-1", "ada", "Ada");
    if (send(a, ada, "cmd-ada") ||
        send(a, make(REGISTER_ATTENDEE, "w-1", "bob", "Bob"), NULL) ||
        send(a, make(REGISTER_ATTENDEE, "w-1", "cleo", "Cleo"), NULL))
        return 1;
    step(a, "The catalogue, a read model, answers the query.");
    if (query_catalogue(a))
        return 1;
    step(a, "Ada's registration is sent again (a retry): same command id, "
            "nothing new is written.");
    if (send(a, ada, "cmd-ada"))
        return 1;
    step(a, "Bob cancels. The waitlist process promotes Cleo.");
    if (send(a, make(CANCEL_REGISTRATION, "w-1", "bob", ""), NULL))
        return 1;
    if (query_catalogue(a) || query_agenda(a, "cleo"))
        return 1;
    step(a, "The trainer closes registration; Dan is refused.");
    if (send(a, make(CLOSE_REGISTRATION, "w-1", "", "trainer"), NULL) ||
        send(a, make(REGISTER_ATTENDEE, "w-1", "dan", "Dan"), NULL))
        return 1;
    step(a, "The story, as stored (see also: sqlite3 FILE "
            "'select * from events').");
    return list_events(a, "workshop-w-1");
}

static void usage(FILE *to)
{
    fprintf(to, "usage: workshop-demo [--db FILE | --pg CONNINFO] COMMAND "
                "[ARGS]\n"
                "\n"
                "  demo                                  a scripted story\n"
                "  schedule WORKSHOP TITLE DATE CAPACITY\n"
                "  register WORKSHOP ATTENDEE NAME\n"
                "  cancel WORKSHOP ATTENDEE\n"
                "  promote WORKSHOP\n"
                "  close WORKSHOP [REASON]\n"
                "  catalogue                             query: all workshops\n"
                "  agenda ATTENDEE                       query: one attendee\n"
                "  events [STREAM]                       the stored events\n"
                "\n"
                "The store is workshop.db in the current folder unless --db "
                "says otherwise,\n"
                "or a PostgreSQL database with --pg (a libpq conninfo such "
                "as \"dbname=app\"\n"
                "or postgresql:// URI; builds with libpq only).\n");
}

static int run(app *a, int argc, char **argv)
{
    const char *cmd = argv[0];
    int n = argc - 1;
    if (strcmp(cmd, "demo") == 0 && n == 0)
        return demo(a);
    if (strcmp(cmd, "schedule") == 0 && n == 4) {
        workshop_command c = make(SCHEDULE_WORKSHOP, argv[1], "", "");
        snprintf(c.title, sizeof(c.title), "%s", argv[2]);
        snprintf(c.starts_on, sizeof(c.starts_on), "%s", argv[3]);
        c.capacity = strtoll(argv[4], NULL, 10);
        return send(a, c, NULL);
    }
    if (strcmp(cmd, "register") == 0 && n == 3)
        return send(a, make(REGISTER_ATTENDEE, argv[1], argv[2], argv[3]),
                    NULL);
    if (strcmp(cmd, "cancel") == 0 && n == 2)
        return send(a, make(CANCEL_REGISTRATION, argv[1], argv[2], ""), NULL);
    if (strcmp(cmd, "promote") == 0 && n == 1)
        return send(a, make(PROMOTE_FROM_WAITLIST, argv[1], "", ""), NULL);
    if (strcmp(cmd, "close") == 0 && (n == 1 || n == 2))
        return send(
            a,
            make(CLOSE_REGISTRATION, argv[1], "", n == 2 ? argv[2] : "trainer"),
            NULL);
    if (strcmp(cmd, "catalogue") == 0 && n == 0)
        return query_catalogue(a);
    if (strcmp(cmd, "agenda") == 0 && n == 1)
        return query_agenda(a, argv[1]);
    if (strcmp(cmd, "events") == 0 && n <= 1)
        return list_events(a, n == 1 ? argv[1] : NULL);
    fprintf(stderr, "workshop-demo: unknown command or wrong arguments: %s\n\n",
            cmd);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    const char *path = "workshop.db";
    const char *conninfo = NULL;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--db") == 0) {
        path = argv[2];
        first = 3;
    } else if (argc > 2 && strcmp(argv[1], "--pg") == 0) {
        conninfo = argv[2];
        first = 3;
    }
    if (argc <= first || strcmp(argv[first], "--help") == 0 ||
        strcmp(argv[first], "help") == 0) {
        usage(argc <= first ? stderr : stdout);
        return argc <= first ? 2 : 0;
    }
    app a;
    int rc = app_open(&a, path, conninfo);
    if (rc == 0)
        rc = run(&a, argc - first, argv + first);
    app_close(&a);
    return rc;
}
