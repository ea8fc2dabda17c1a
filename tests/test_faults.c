/*
 * tests/test_faults.c - every public operation, run out of memory at every
 * allocation it makes, on the memory and SQLite stores (the harness and
 * what it checks: faults_harness.c).
 */
#include <stddef.h>

#include "faults_fixture.h"

int main(void)
{
    const faults_part parts[] = {
        {store_scenarios, store_scenarios_count},
        {codec_scenarios, codec_scenarios_count},
        {command_scenarios, command_scenarios_count},
        {projection_scenarios, projection_scenarios_count},
        {process_scenarios, process_scenarios_count},
        {upcaster_scenarios, upcaster_scenarios_count},
    };
    return faults_run("faults", parts, sizeof parts / sizeof parts[0]);
}
