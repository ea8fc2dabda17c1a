/*
 * enrollment.h - the code around the exercise, written for you: a store
 * with its key table and read model, an enrollment that seals the
 * attendee's name and email, the reads that open them, and the audit
 * trail of exercise 15 in small.
 */
#ifndef ENROLLMENT_H
#define ENROLLMENT_H

#include <esk/store.h>

#include "personal.h"

#define ENROLLED_TYPE "AttendeeEnrolled"

/* One enrollment as a read shows it: name and email opened, or
 * PERSONAL_ERASED once the attendee is forgotten. */
typedef struct enrollment_view {
    char workshop_id[64];
    char attendee_id[64];
    char name[PERSONAL_PLAIN_SIZE];
    char email[PERSONAL_PLAIN_SIZE];
    long long seats;
    char dietary[32];
} enrollment_view;

/* Open a SQLite store at path with the two tables beside the events:
 * attendee_keys (personal.h) and the read model roster(workshop_id,
 * attendee_id, name, email, seats), which copies the names. */
esk_status enrollment_open(const char *path, esk_store **out);

/* Append an AttendeeEnrolled to stream "enrollment-<attendee_id>": name
 * and email sealed with personal_seal(), workshopId, attendeeId, seats
 * and dietary in clear; metadata {"attendeeId": ...}. Then rebuild the
 * roster. */
esk_status enroll(esk_store *store, const char *workshop_id,
                  const char *attendee_id, const char *name, const char *email,
                  int seats, const char *dietary);

/* Replay every enrollment into roster, from scratch, opening the names
 * with personal_open(). */
esk_status roster_rebuild(esk_store *store);

/* The first enrollment of attendee_id, read from the events and opened. */
esk_status enrollment_read(esk_store *store, const char *attendee_id,
                           enrollment_view *out);

/* One line per event of the attendee's stream:
 * "enrollment-bob v1 AttendeeEnrolled workshop=w-1 seats=1 name=Bob\n". */
esk_status audit_trail(esk_store *store, const char *attendee_id, char *buf,
                       size_t size);

#endif
