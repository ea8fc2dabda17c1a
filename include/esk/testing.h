/*
 * esk/testing.h - given / when / then specs for cmocka tests.
 *
 * Behaviour of an event-sourced model is best stated as a story:
 *
 *   given   these events happened      (the past)
 *   when    this command arrives       (the present)
 *   then    these events happen        (the outcome)
 *       or  the command is refused with this domain error
 *       or  nothing happens
 *
 *   esk_spec *spec = esk_spec_decider(&workshop_decider);
 *   esk_spec_given(spec, &workshop_scheduled_type,
 *                  &(workshop_scheduled){.workshop_id = "w-1",
 *                                        .capacity = 1});
 *   esk_spec_when(spec, &(register_attendee){.attendee = "ada"});
 *   esk_spec_then(spec, &attendee_registered_type,
 *                 &(attendee_registered){.attendee = "ada"});
 *   esk_spec_hint(spec, "A free seat is taken by whoever registers.");
 *   ESK_SPEC_CHECK(spec);
 *
 * Events are compared by type name, schema version and JSON text: the
 * codec writes canonical JSON (keys in the table's order), so two events
 * with equal fields have equal text.
 *
 * On failure the check prints the expected and actual events side by side
 * (or one above the other when they are long, with a caret under the first
 * differing character), the HINT, and fails the cmocka test:
 *
 *   Spec failed: Workshop
 *     given   1. WorkshopScheduled {"workshopId":"w-1","capacity":1}
 *     when    RegisterAttendee ada
 *     then    expected                              | actual
 *       1.    AttendeeRegistered {"attendee":"ada"} | AttendeeWaitlisted ...
 *     HINT: A free seat is taken by whoever registers.
 *
 * The report speaks the domain's words when the decider gives them: the
 * command by its describe_command ("the command" without one), a refusal
 * by its error_name ("ALREADY_REGISTERED", else "error 5"), and a state
 * that decide() wrote by its describe_state, before and after (else the
 * first byte that changed). A check that fails while the outcome was the
 * expected one prints a HINT about that check (purity, determinism,
 * state changed outside evolve) instead of the spec's own.
 *
 * Besides the outcome, every spec checks purity:
 *   - a decider's decide() must leave the state byte for byte as it was,
 *     and give the same answer when asked twice (no clock, no global, no
 *     random numbers);
 *   - an aggregate's state after the command must equal the state rebuilt
 *     from scratch from the given and the new events (state changes only
 *     in evolve, through raised events).
 *
 * Projection specs state a read model the same way: given events, expect
 * rows or text. Each is also run a second time on a fresh store with
 * every event applied twice, which must give the same read model
 * (idempotency: at-least-once delivery must not count an event twice).
 *
 * A spec is built by calls that return nothing: a mistake in the spec
 * itself (no when, two kinds of then, an event the codec refuses, out of
 * memory) is kept and reported by the check as a spec error, so the test
 * body stays a plain story. Everything given to a spec is copied or
 * encoded at once, except what the comments say is borrowed.
 *
 * This is a separate library (esk::testing) that links cmocka; only the
 * two *_CHECK macros touch cmocka, the *_run functions do not.
 */
#ifndef ESK_TESTING_H
#define ESK_TESTING_H

#include <stdbool.h>
#include <stddef.h>

#include "aggregate.h"
#include "codec.h"
#include "decider.h"
#include "error.h"
#include "projection.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct esk_spec esk_spec;

/**
 * Start a spec of a decider.
 *
 * The given events are folded with esk_decider_fold into a zeroed state
 * (as if read from stream "<category>-spec", versions 1, 2, ...); when
 * runs decide() on that state.
 *
 * @param decider borrowed; must outlive the spec. NULL gives a spec that
 *                reports the mistake.
 * @return the spec, owned by the caller (ESK_SPEC_CHECK or esk_spec_free
 *         frees it), or NULL when out of memory (every function of this
 *         file accepts NULL, and the check reports it).
 */
esk_spec *esk_spec_decider(const esk_decider *decider);

/**
 * Start a spec of an aggregate type.
 *
 * The given events are applied to a new aggregate of this type and id
 * (esk_aggregate_init, then esk_aggregate_apply for each); when calls a
 * behaviour of yours on it (esk_spec_when_call), and the events it raised
 * are the outcome.
 *
 * @param type borrowed; must outlive the spec.
 * @param id   the aggregate's id; copied.
 * @return as esk_spec_decider().
 */
esk_spec *esk_spec_aggregate(const esk_aggregate_type *type, const char *id);

/**
 * A behaviour for esk_spec_when_call: run a command on an aggregate.
 *
 * @param state the aggregate, built from the given events.
 * @param arg   the argument given to esk_spec_when_call.
 * @return ESK_OK (the raised events are the outcome); ESK_EDOMAIN (refused:
 *         return esk_domain_error(code, ...)); anything else, after
 *         esk_error_set() to say why, is reported as a failure of the
 *         behaviour.
 */
typedef esk_status (*esk_spec_action)(void *state, const void *arg);

/**
 * Add an event to the past, after those given before.
 *
 * @param type  its event type; borrowed, must outlive the spec.
 * @param event a struct of that type; encoded now (borrowed for the call).
 *              An event the codec refuses makes the spec invalid.
 */
void esk_spec_given(esk_spec *spec, const esk_event_type *type,
                    const void *event);

/**
 * Decider specs: the command that decide() receives.
 *
 * @param command your command struct; borrowed until the spec is run (it
 *                is not copied: esk does not know its size). Only one
 *                when per spec.
 */
void esk_spec_when(esk_spec *spec, const void *command);

/**
 * Aggregate specs: the behaviour to run on the aggregate, and its
 * argument.
 *
 * @param action required.
 * @param arg    passed to action; borrowed until the spec is run.
 */
void esk_spec_when_call(esk_spec *spec, esk_spec_action action,
                        const void *arg);

/**
 * Name the when-step in reports ("bob registers again while he waits")
 * instead of the decider's description of the command (its
 * describe_command) or "the command". Copied.
 */
void esk_spec_label(esk_spec *spec, const char *label);

/**
 * Expect this event next, in order. Call it once per expected event.
 *
 * @param type  its event type; borrowed, must outlive the spec.
 * @param event a struct of that type; encoded now.
 */
void esk_spec_then(esk_spec *spec, const esk_event_type *type,
                   const void *event);

/**
 * Expect the command to be refused (ESK_EDOMAIN) with this domain error
 * code. Cannot be combined with esk_spec_then or esk_spec_then_nothing.
 */
void esk_spec_then_error(esk_spec *spec, int code);

/** Expect that nothing happens: no event, no error. */
void esk_spec_then_nothing(esk_spec *spec);

/** The hint printed when the spec fails, as "HINT: ..."; copied. */
void esk_spec_hint(esk_spec *spec, const char *hint);

/** The result of running a spec without failing the test. */
typedef struct esk_spec_report {
    /** Whether the outcome was as expected and every check passed. */
    bool passed;
    /** What went wrong, several lines ending in '\n' (cut, with a mark,
     *  when longer than the buffer); "" when passed. */
    char text[4096];
} esk_spec_report;

/**
 * Run a spec without touching cmocka: for graders that count, such as
 * the mutation testing of exercise specs. The spec can be run any number
 * of times.
 *
 * @param spec    the spec; NULL reports that it could not be created.
 * @param decider NULL for the spec's own; for a decider spec, another
 *                decider with the same state_size to run the same story
 *                against (a mutant). Must be NULL for an aggregate spec.
 * @param report  required; filled. An invalid spec gives passed = false
 *                and a text starting with "Spec error".
 */
void esk_spec_run(const esk_spec *spec, const esk_decider *decider,
                  esk_spec_report *report);

/** Free a spec. NULL is a no-op. */
void esk_spec_free(esk_spec *spec);

/**
 * Run the spec; on failure print the report to stderr and fail the
 * cmocka test at file:line. Frees the spec either way. Use it through
 * ESK_SPEC_CHECK.
 */
void esk__spec_check(esk_spec *spec, const char *file, int line);
#define ESK_SPEC_CHECK(spec) esk__spec_check((spec), __FILE__, __LINE__)

/* --- Projection specs ------------------------------------------------------
 */

typedef struct esk_projection_spec esk_projection_spec;

/**
 * Start a spec of a projection.
 *
 * Each run opens a fresh store, calls setup, then reset (when the
 * projection has one: a read model kept in ctx must start empty), then
 * appends the
 * given events to their streams, reads each back (so that its position
 * and version are real) and calls handle on it, skipping event types the
 * projection does not list. Then the expectations are checked. A second
 * run does the same on another fresh store with handle called twice on
 * every event, and must give the same read model.
 *
 * @param projection borrowed; must outlive the spec.
 * @param on_sqlite  true for a SQLite ":memory:" store (read models in
 *                   SQLite tables), false for a memory store.
 * @return the spec, owned by the caller (ESK_PROJECTION_SPEC_CHECK or
 *         esk_projection_spec_free frees it), or NULL when out of memory
 *         (every function of this file accepts NULL).
 */
esk_projection_spec *esk_projection_spec_new(const esk_projection *projection,
                                             bool on_sqlite);

/**
 * Add an event of a stream to the past, after those given before.
 *
 * @param stream_id the stream to append it to, e.g. "workshop-1"; copied.
 * @param type      its event type; borrowed, must outlive the spec.
 * @param event     a struct of that type; encoded now.
 */
void esk_projection_spec_given(esk_projection_spec *spec, const char *stream_id,
                               const esk_event_type *type, const void *event);

/**
 * Expect the rows of a query on the read model (SQLite specs only). Each
 * row is its columns as text joined by '|', NULL as "NULL"; rows are
 * joined by '\n': "ES 101|10\nDDD|5". Use ORDER BY so that the order is
 * known. A final '\n' is ignored.
 *
 * @param sql  one SELECT statement; copied.
 * @param rows the expected text; copied.
 */
void esk_projection_spec_expect_rows(esk_projection_spec *spec, const char *sql,
                                     const char *rows);

/**
 * Writes a text about the read model into buf (at most size bytes with
 * the final NUL), for esk_projection_spec_expect_text.
 */
typedef void (*esk_render_fn)(void *ctx, char *buf, size_t size);

/**
 * Expect the text that render() writes about the read model (memory
 * specs, or anything a query function of yours returns). A final '\n' is
 * ignored.
 *
 * @param render required; called after each run.
 * @param ctx    passed to render; borrowed.
 * @param text   the expected text; copied.
 */
void esk_projection_spec_expect_text(esk_projection_spec *spec,
                                     esk_render_fn render, void *ctx,
                                     const char *text);

/** The hint printed on failure, as "HINT: ..."; copied. */
void esk_projection_spec_hint(esk_projection_spec *spec, const char *hint);

/**
 * Run a projection spec without touching cmocka (both runs: once, then
 * every event twice).
 *
 * @param spec   the spec; NULL reports that it could not be created.
 * @param report required; filled as by esk_spec_run().
 */
void esk_projection_spec_run(const esk_projection_spec *spec,
                             esk_spec_report *report);

/** Free a projection spec. NULL is a no-op. */
void esk_projection_spec_free(esk_projection_spec *spec);

/**
 * Run the spec; on failure print the report to stderr and fail the
 * cmocka test at file:line. Frees the spec either way. Use it through
 * ESK_PROJECTION_SPEC_CHECK.
 */
void esk__projection_spec_check(esk_projection_spec *spec, const char *file,
                                int line);
#define ESK_PROJECTION_SPEC_CHECK(spec)                                        \
    esk__projection_spec_check((spec), __FILE__, __LINE__)

#ifdef __cplusplus
}
#endif

#endif
