/*
 * bench/domain.c - the small workshop domain every workload uses: one
 * event type, one aggregate, the streams, and the fold of the reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const esk_field registered_fields[] = {
    ESK_FIELD_STRING(bench_registered, workshop_id, "workshopId"),
    ESK_FIELD_INT64(bench_registered, seats, "seats"),
};
const esk_event_type bench_registered_type =
    ESK_EVENT_TYPE(bench_registered, BENCH_EVENT_TYPE, 1, registered_fields);

static const esk_field workshop_fields[] = {
    ESK_FIELD_INT64(bench_workshop, seats_taken, "seatsTaken"),
    ESK_FIELD_INT64(bench_workshop, registrations, "registrations"),
};
static const esk_event_type workshop_snapshot_type =
    ESK_EVENT_TYPE(bench_workshop, "WorkshopSnapshot", 1, workshop_fields);

static void workshop_evolve(void *state, const esk_event_type *type,
                            const void *event)
{
    bench_workshop *w = state;
    if (type == &bench_registered_type) {
        const bench_registered *e = event;
        w->seats_taken += e->seats;
        w->registrations++;
    }
}

static const esk_event_type *const workshop_events[] = {
    &bench_registered_type,
};

const esk_aggregate_type bench_workshop_type = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(bench_workshop),
    .event_types = workshop_events,
    .event_type_count = 1,
    .evolve = workshop_evolve,
    .snapshot = &workshop_snapshot_type,
};

/* The same aggregate, blind to snapshots: its loads replay the stream. */
const esk_aggregate_type bench_workshop_type_no_snapshot = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(bench_workshop),
    .event_types = workshop_events,
    .event_type_count = 1,
    .evolve = workshop_evolve,
};

bool bench_streams_make(bench_streams *s, long count, bench_sample *sample)
{
    s->count = count;
    s->ids = calloc((size_t)count, sizeof(*s->ids));
    s->data = calloc((size_t)count, sizeof(*s->data));
    if (s->ids == NULL || s->data == NULL) {
        bench_streams_free(s);
        return bench_fail(sample, "out of memory making %ld streams", count);
    }
    for (long i = 0; i < count; i++) {
        snprintf(s->ids[i], sizeof(s->ids[i]), "workshop-%ld", i);
        snprintf(s->data[i], sizeof(s->data[i]),
                 "{\"workshopId\":\"w-%ld\",\"seats\":1}", i);
    }
    return true;
}

void bench_streams_free(bench_streams *s)
{
    free(s->ids);
    free(s->data);
    s->ids = NULL;
    s->data = NULL;
}

void bench_fold_event(bench_fold *fold, const char *data, int64_t version)
{
    (void)version;
    fold->events++;
    if (fold->kind == BENCH_FOLD_CODEC) {
        bench_registered event;
        if (esk_codec_decode(&bench_registered_type, data, &event) != ESK_OK) {
            fold->errors++;
            return;
        }
        fold->seats += event.seats;
    } else {
        fold->bytes += (long)strlen(data);
    }
}

bool bench_fold_check(const bench_fold *fold, long expected,
                      bench_sample *sample)
{
    if (fold->events != expected)
        return bench_fail(sample, "read %ld events, expected %ld", fold->events,
                          expected);
    if (fold->errors != 0)
        return bench_fail(sample, "%ld events did not decode", fold->errors);
    if (fold->kind == BENCH_FOLD_CODEC && fold->seats != expected)
        return bench_fail(sample, "folded %ld seats, expected %ld", fold->seats,
                          expected);
    return true;
}
