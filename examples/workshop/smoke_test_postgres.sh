#!/usr/bin/env bash
# examples/workshop/smoke_test_postgres.sh DEMO HAS_BACKEND - the smoke
# test's story on PostgreSQL: the store, the bus, the process manager and
# both read models (a schema each, queried through
# esk_read_model_postgres_query) in one database of the server under
# test (ESK_TEST_PG,
# a key=value conninfo such as tests/pg/cluster.sh prints). The story runs
# in a database of its own, made afresh, so that it starts from nothing
# and meets no other test's schemas. Exits 77 (skipped) when there is no
# server or no PostgreSQL backend in the build.
set -Eeuo pipefail
demo=$1
has_backend=$2

if [[ -z ${ESK_TEST_PG:-} ]]; then
    echo "SKIPPED: no PostgreSQL server is configured. Set ESK_TEST_PG to a" \
        "libpq conninfo, e.g. from tests/pg/cluster.sh start"
    exit 77
fi
if [[ $has_backend != 1 ]]; then
    echo "SKIPPED: this build has no PostgreSQL backend (configured without libpq)"
    exit 77
fi
psql=$(command -v psql) || psql=''
for candidate in /usr/lib/postgresql/*/bin/psql; do
    [[ -z $psql && -x $candidate ]] && psql=$candidate
done
if [[ -z $psql ]]; then
    echo "psql is missing: install the postgresql-client package" >&2
    exit 1
fi

database=esk_workshop_demo
export PGOPTIONS="-c client_min_messages=warning"
"$psql" "$ESK_TEST_PG" -q -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"
# In a key=value conninfo the last dbname wins.
conninfo="$ESK_TEST_PG dbname=$database"

fail()
{
    printf 'workshop-demo on PostgreSQL: %s\n' "$*" >&2
    exit 1
}

out=$("$demo" --pg "$conninfo" demo 2>&1) || fail "demo failed: $out"
for expected in \
    "command   ScheduleWorkshop" \
    "event     workshop-w-1 v1 @1 WorkshopScheduled" \
    "AttendeeWaitlisted" \
    "project   catalogue" \
    "w-1 | Event Sourcing 101 | 2026-12-01 | 0 seats left | 1 waiting | open" \
    "(duplicate)" \
    "process   waitlist: reacted to 1 event" \
    "WaitlistedAttendeePromoted" \
    "w-1 | Event Sourcing 101 | 2026-12-01 | seat" \
    "refused" \
    '"correlationId"'; do
    [[ $out == *"$expected"* ]] || fail "did not show '$expected':"$'\n'"$out"
done

# A second process sees what the first stored: the store and the read
# models live in the database, not in the process.
out=$("$demo" --pg "$conninfo" schedule w-1 Again 2026-12-02 3 2>&1) ||
    fail "schedule failed: $out"
[[ $out == *"already scheduled"* ]] || fail "scheduling twice was not refused: $out"
out=$("$demo" --pg "$conninfo" catalogue 2>&1) || fail "catalogue failed: $out"
[[ $out == *"w-1 | Event Sourcing 101 | 2026-12-01 | 0 seats left | 0 waiting | closed"* ]] ||
    fail "the catalogue does not show the story's end: $out"

# Each read model has a schema of its own, and the store's holds only
# the store's tables.
tables=$("$psql" "$conninfo" -XAtq -c "SELECT string_agg(schemaname || '.' ||
    tablename, ' ' ORDER BY schemaname, tablename) FROM pg_tables WHERE schemaname LIKE
    'workshop%' OR tablename LIKE '%agenda%' OR tablename = 'catalogue'")
[[ $tables == "workshop_agenda.agenda workshop_agenda.agenda_workshops workshop_catalogue.catalogue" ]] ||
    fail "the read models are not each in a schema of their own: $tables"

# A rebuild of one read model (its version's checkpoint gone) creates its
# schema afresh, and leaves the other's alone.
"$psql" "$conninfo" -Xq -v ON_ERROR_STOP=1 \
    -c "CREATE TABLE workshop_catalogue.leftover(x int)" \
    -c "CREATE TABLE workshop_agenda.kept(x int)" \
    -c "UPDATE esk.checkpoints SET version = 0 WHERE name = 'catalogue'"
# A command lets the projections follow (a refused one too).
"$demo" --pg "$conninfo" schedule w-1 Again 2026-12-02 3 >/dev/null 2>&1 ||
    fail "schedule for a rebuild failed"
out=$("$demo" --pg "$conninfo" catalogue 2>&1) || fail "catalogue after a rebuild failed: $out"
[[ $out == *"w-1 | Event Sourcing 101 | 2026-12-01 | 0 seats left | 0 waiting | closed"* ]] ||
    fail "the rebuilt catalogue does not show the story's end: $out"
tables=$("$psql" "$conninfo" -XAtq -c "SELECT string_agg(schemaname || '.' ||
    tablename, ' ' ORDER BY schemaname, tablename) FROM pg_tables WHERE schemaname LIKE 'workshop%'")
[[ $tables == "workshop_agenda.agenda workshop_agenda.agenda_workshops workshop_agenda.kept workshop_catalogue.catalogue" ]] ||
    fail "a rebuild did not create the catalogue's schema afresh, alone: $tables"

rc=0
out=$("$demo" --pg "host=/nonexistent/socket dbname=none" catalogue 2>&1) || rc=$?
[[ $rc == 1 && $out == *"workshop-demo: "* ]] ||
    fail "an unreachable server did not exit 1 with a message ($rc): $out"

"$psql" "$ESK_TEST_PG" -q -c "DROP DATABASE IF EXISTS $database"
echo "workshop-demo ran its story on PostgreSQL"
