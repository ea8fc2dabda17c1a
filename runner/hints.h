/*
 * runner/hints.h - the tiers of hints of exercise.json, revealed one at
 * a time, and remembered in .kata/hints.json so that a learner sees the
 * same ones again (in `hint`, in watch mode, in the report).
 */
#ifndef KATA_HINTS_H
#define KATA_HINTS_H

#include <stddef.h>

#include "kata.h"
#include "text.h"

/* How many tiers of e the learner has seen. */
size_t kata_hints_revealed(const kata *k, const kata_exercise *e);
/* Reveals one more tier (if there is one) and returns how many are now
 * revealed. The state is written at once; if it cannot be, a note says
 * so and the hint is still shown. */
size_t kata_hints_reveal_next(const kata *k, const kata_exercise *e);
/* The first `shown` hints of e, numbered and wrapped, appended to out. */
void kata_hints_format(const kata *k, const kata_exercise *e, size_t shown,
                       kata_buf *out, int width);

#endif
