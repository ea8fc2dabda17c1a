/*
 * tests/consumer/main.c - a program that uses an installed esk, as a user's
 * project would: it includes <esk/...> and links what find_package(esk) or
 * pkg-config hands it. It stores one event, reads it back and prints its
 * type, which tests/consumer/run.sh compares with what it expects.
 */
#include <stdio.h>

/* The umbrella header, so the install is checked to ship every header
 * it names. */
#include <esk/esk.h>

int main(void)
{
    esk_store *store = NULL;
    esk_event_list events = ESK_EVENT_LIST_INIT;
    esk_new_event event = {NULL, "WorkshopScheduled", 1,
                           "{\"title\":\"Event Sourcing in C\"}", NULL};
    esk_status rc;
    int exit_code = 1;

    rc = esk_store_open_memory(&store, NULL);
    if (rc != ESK_OK) {
        fprintf(stderr, "open: %s\n", esk_status_str(rc));
        goto done;
    }
    rc = esk_store_append(store, "workshop-1", ESK_NO_STREAM, &event, 1, NULL);
    if (rc != ESK_OK) {
        fprintf(stderr, "append: %s\n", esk_errmsg());
        goto done;
    }
    rc = esk_store_read_stream(store, "workshop-1", 1, 0, &events);
    if (rc != ESK_OK) {
        fprintf(stderr, "read: %s\n", esk_errmsg());
        goto done;
    }
    if (events.count != 1) {
        fprintf(stderr, "read: expected 1 event, got %zu\n", events.count);
        goto done;
    }
    printf("%s\n", events.events[0].type);
    exit_code = 0;

done:
    esk_event_list_release(&events);
    esk_store_free(store);
    return exit_code;
}
