/*
 * runner/pristine.c - the copy of each stub the runner keeps in
 * .kata/pristine/, the first time it sees it untouched, so that `reset`
 * works in a kit that has no git (unpacked from an archive).
 */
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "kata.h"
#include "sha256.h"
#include "text.h"

char *kata_pristine_path(const kata *k, const kata_exercise *e, size_t i)
{
    return kata_format("%s/pristine/%s/%s", k->state, e->slug, e->edit[i]);
}

bool kata_file_has_sum(const char *path, const char *sum)
{
    char hex[65];
    return sum != NULL && kata_sha256_file(path, hex) && strcmp(hex, sum) == 0;
}

void kata_pristine_save(const kata *k)
{
    for (size_t n = 0; n < k->catalogue.count; n++) {
        const kata_exercise *e = &k->catalogue.items[n];
        for (size_t i = 0; i < e->edit_count; i++) {
            char *copy = kata_pristine_path(k, e, i);
            /* A copy of an older stub (the kit was updated) is replaced
             * as soon as the new one is seen. */
            if (!kata_file_has_sum(copy, e->stub_sums[i]) &&
                kata_exercise_file_is_stub(e, i)) {
                char *file = kata_exercise_file(e, i);
                /* Without the copy, reset needs git: not worth a stop. */
                kata_copy_file(file, copy);
                free(file);
            }
            free(copy);
        }
    }
}
