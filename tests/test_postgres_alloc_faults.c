/*
 * tests/test_postgres_alloc_faults.c - the store's operations run out of
 * memory at every allocation esk makes, on PostgreSQL: the store
 * scenarios of faults_store.c (every one its SQLite form has), with the
 * harness's checks (faults_harness.c): a clean ENOMEM that says so, no
 * leak, and a store, read again on a new connection, as before the call
 * or as a successful call leaves it. libpq's own allocations are its
 * business: they do not go through esk's allocator.
 *
 * Needs a server: ESK_TEST_PG=conninfo (tests/pg/cluster.sh start prints
 * one); skipped otherwise.
 */
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/store_postgres.h"
#include "faults_fixture.h"
#include "pg/pg_support.h"

#define SCHEMA "esk_alloc_faults"

static const char *conninfo;
static PGconn *admin;

static esk_status open_schema(esk_store **out, const esk_store_options *o)
{
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.store = *o;
    options.schema = SCHEMA;
    return esk_store_open_postgres(out, conninfo, &options);
}

/* Emptying the tables is much faster than making the schema again. */
static void empty(void)
{
    pg_admin_exec(admin, "DELETE FROM " SCHEMA ".events; "
                         "DELETE FROM " SCHEMA ".event_tags; "
                         "DELETE FROM " SCHEMA ".closed_streams; "
                         "DELETE FROM " SCHEMA ".checkpoints; "
                         "DELETE FROM " SCHEMA ".commands; "
                         "DELETE FROM " SCHEMA ".snapshots");
}

static const faults_server server = {open_schema, empty};

enum { MAX_SCENARIOS = 64 };

int main(void)
{
    conninfo = pg_conninfo("test_postgres_alloc_faults");
    if (conninfo == NULL)
        return PG_SKIP;
    pg_drop_schema(conninfo, SCHEMA);
    esk_store *store = NULL;
    const esk_store_options defaults = ESK_STORE_OPTIONS_INIT;
    if (open_schema(&store, &defaults) != ESK_OK) {
        fprintf(stderr, "opening schema %s: %s\n", SCHEMA, esk_errmsg());
        return 1;
    }
    esk_store_free(store);
    admin = PQconnectdb(conninfo);
    if (PQstatus(admin) != CONNECTION_OK) {
        fprintf(stderr, "connecting: %s", PQerrorMessage(admin));
        return 1;
    }
    PQclear(PQexec(admin, "SET client_min_messages TO warning"));
    faults_postgres = &server;

    /* Each SQLite scenario of the store, on the schema instead. */
    static scenario scenarios[MAX_SCENARIOS];
    static char names[MAX_SCENARIOS][96];
    size_t n = 0;
    for (size_t i = 0; i < store_scenarios_count && n < MAX_SCENARIOS; i++) {
        const scenario *sc = &store_scenarios[i];
        if (sc->backend != SQLITE)
            continue;
        const char *what = strchr(sc->name, ':');
        snprintf(names[n], sizeof names[n], "postgres%s",
                 what != NULL ? what : sc->name);
        scenarios[n] = *sc;
        scenarios[n].name = names[n];
        scenarios[n].backend = POSTGRES;
        n++;
    }
    const faults_part parts[] = {{scenarios, n}};
    int failures = faults_run("postgres faults", parts, 1);
    PQfinish(admin);
    pg_drop_schema(conninfo, SCHEMA);
    return failures;
}
