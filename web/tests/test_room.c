/*
 * web/tests/test_room.c - the trainer's room (web/room.h): its endpoints
 * and its event-sourced model.
 */
#include "room_fixture.h"

int main(void)
{
    int failed = run_room_http_tests();
    failed += run_room_model_tests();
    return failed;
}
