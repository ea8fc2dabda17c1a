/*
 * saga.h - a booking saga: reserve a seat, take the payment, issue the
 * ticket; when a step fails, compensate the steps done.
 *
 * You write saga_evolve() and saga_decide() in saga.c. The rest is
 * provided (saga_run.c): the saga's stream on an esk store, the three
 * services as fakes with fault switches, and the clock.
 */
#ifndef SAGA_H
#define SAGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/status.h>
#include <esk/store.h>

/* How long the payment service has to answer, in seconds from the start. */
#define SAGA_PAYMENT_WINDOW 60

/* How many times the saga sends a refund before it gives the saga to a
 * person: the first attempt and two retries. */
#define SAGA_REFUND_ATTEMPTS 3

/* The saga's own events, and (the first ten) the news it reacts to. */
typedef enum saga_kind {
    SAGA_STARTED = 1,  /* news: "start"; event: at carries the deadline */
    SEAT_RESERVED,     /* the seat service's answer */
    PAYMENT_TAKEN,     /* the payment service's answer, maybe late */
    PAYMENT_REFUSED,   /* the payment service's answer */
    TICKET_ISSUED,     /* the ticket service's answer */
    TICKET_FAILED,     /* the ticket service's answer */
    SEAT_RELEASED,     /* the seat service's answer to a release */
    PAYMENT_REFUNDED,  /* the payment service's answer to a refund */
    REFUND_FAILED,     /* the payment service's answer: the refund failed */
    SAGA_TICK,         /* news only: the clock, at = now */
    PAYMENT_TIMED_OUT, /* event only: no answer before the deadline */
    COMPENSATION_STARTED,
    SAGA_COMPLETED,
    SAGA_FAILED,
    SAGA_PARKED, /* event only: the refund kept failing, a person takes over */
} saga_kind;

/* One event of the saga's stream, or one piece of news. at: the time of
 * a SAGA_TICK, the start time of SAGA_STARTED news, the deadline in a
 * SAGA_STARTED event; 0 otherwise. */
typedef struct saga_event {
    saga_kind kind;
    int64_t at;
} saga_event;

/* What the saga knows, folded from its events by saga_evolve(). */
typedef struct saga_state {
    bool started;
    int64_t deadline; /* when a payment without an answer has timed out */
    bool seat_reserved;
    bool paid;
    bool payment_refused;
    bool payment_timed_out;
    bool ticket_issued;
    bool ticket_failed;
    bool compensating;
    bool seat_released;
    bool refunded;
    int refund_failures; /* RefundFailed events so far */
    bool parked;         /* SagaParked: no more retries, a person decides */
    bool ended;          /* SagaCompleted or SagaFailed */
} saga_state;

/* The commands the saga sends. The provided code gives each the id
 * "<saga id>/<step>" (reserve, pay, ticket, refund, release), so that
 * sending it again is a no-op at the service. */
typedef enum saga_command {
    RESERVE_SEAT = 1,
    TAKE_PAYMENT,
    ISSUE_TICKET,
    REFUND_PAYMENT,
    RELEASE_SEAT,
} saga_command;

#define SAGA_MAX_OUT 4

/* What saga_decide() returns: the events to record (in order), then the
 * commands to send (in order). */
typedef struct saga_decision {
    saga_event events[SAGA_MAX_OUT];
    size_t event_count;
    saga_command commands[SAGA_MAX_OUT];
    size_t command_count;
} saga_decision;

/* --- You write these (saga.c) -------------------------------------------- */

/* Fold one of the saga's events into state (RefundFailed counts). */
void saga_evolve(saga_state *state, const saga_event *event);

/*
 * Given what the saga knows and what just happened, fill *out (zeroed by
 * the caller) with the events to record and the commands to send:
 *   - an ended saga ignores everything;
 *   - news it already knows (a second SeatReserved...) changes nothing;
 *   - start: SagaStarted (at = now + SAGA_PAYMENT_WINDOW), RESERVE_SEAT;
 *   - seat reserved: SeatReserved, TAKE_PAYMENT;
 *   - payment taken: PaymentTaken, ISSUE_TICKET; but when compensating
 *     (it came late), PaymentTaken and REFUND_PAYMENT;
 *   - payment refused: PaymentRefused, CompensationStarted, RELEASE_SEAT;
 *     once compensating, PaymentRefused only (and the end, see below);
 *   - ticket issued: TicketIssued, SagaCompleted;
 *   - ticket failed: TicketFailed, CompensationStarted, REFUND_PAYMENT,
 *     RELEASE_SEAT: reverse order of the steps done;
 *   - a tick at or past the deadline with a reserved seat, no answer
 *     from the payment and no compensation yet: PaymentTimedOut,
 *     CompensationStarted, RELEASE_SEAT (the payment is not a step done,
 *     as far as the saga knows);
 *   - seat released: SeatReleased; payment refunded: PaymentRefunded
 *     (also on a parked saga: a person refunded by hand and says so);
 *   - refund failed, while a refund is owed (compensating, paid, not
 *     refunded) and the saga is not parked: RefundFailed, then
 *     REFUND_PAYMENT again (the same command, so the same id: a refund
 *     that went through but whose answer was lost is not made twice);
 *     but when this is the SAGA_REFUND_ATTEMPTS-th failure: RefundFailed,
 *     SagaParked, and no command. A parked saga sends nothing more;
 *   - whenever compensating ends with every compensation done (the seat
 *     released, the money refunded if taken) and the payment's answer
 *     known (a timed-out payment may still answer): SagaFailed last.
 * Returns ESK_OK; ESK_EINVAL for NULL arguments.
 */
esk_status saga_decide(const saga_state *state, const saga_event *news,
                       saga_decision *out);

/* --- Provided (saga_run.c) ----------------------------------------------- */

/* A fake service: it executes each command id once and counts. */
typedef struct fake_service {
    int executed[RELEASE_SEAT + 1]; /* per command, distinct ids done */
    int received[RELEASE_SEAT + 1]; /* per command, every delivery */
    char done_ids[16][64];
    size_t done_count;
} fake_service;

/* The fault switches. */
typedef struct saga_faults {
    bool payment_refuses;
    bool payment_silent; /* no answer in time (the test brings it late) */
    bool ticket_fails;
    bool crash_before_sends; /* the process dies after recording */
    int refund_fails;        /* the next N refunds fail, nothing refunded */
    bool refund_answer_lost; /* the next refund is made, but its answer is
                                a failure (the bank timed out) */
} saga_faults;

typedef struct saga_world {
    esk_store *store;
    int64_t now; /* the injectable clock, in seconds */
    saga_faults faults;
    fake_service seats, payments, tickets;
    int64_t money_held; /* taken minus refunded, in cents */
    int seats_held;
    int tickets_issued;
    saga_command sent[32]; /* every command sent, in order */
    size_t sent_count;
    saga_event inbox[16]; /* answers waiting to reach the saga */
    size_t inbox_count;
} saga_world;

/* Read the saga's stream "saga-<id>" and fold it with saga_evolve(). */
esk_status saga_load(saga_world *world, const char *saga_id, saga_state *state,
                     int64_t *version);

/* Load, saga_decide(), record the events, send the commands (the answers
 * go to world->inbox). */
esk_status saga_handle(saga_world *world, const char *saga_id,
                       const saga_event *news);

/* Hand the inbox's answers to the saga, one by one, until it is empty. */
esk_status saga_pump(saga_world *world, const char *saga_id);

/* After a crash: load and send again the commands still waiting for an
 * answer (the services de-duplicate them by id). A parked saga sends
 * nothing: a person has it. */
esk_status saga_resume(saga_world *world, const char *saga_id);

#endif
