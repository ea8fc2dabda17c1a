#!/bin/sh
# test_kata_help.sh KATA - the commands of ./kata itself (setup, deps,
# selftest, help) each have a help page of their own, the same through
# `./kata help CMD` and `./kata CMD --help`; selftest's says that it
# checks the mutant catalogue, and so does the README.
#
# Nothing is installed, configured or built: these pages are printed
# before ./kata looks at the machine.
set -u
KATA=$1
ROOT=$(dirname -- "$KATA")
failures=0

fail()
{
    printf 'FAIL: %s\n' "$*" >&2
    failures=$((failures + 1))
}

overview=$(NO_COLOR=1 sh "$KATA" help) || fail "./kata help exited $?"
for command in setup deps selftest help; do
    page=$(NO_COLOR=1 sh "$KATA" help "$command") ||
        fail "./kata help $command exited $?"
    case $page in
    "Usage: ./kata $command"*) ;;
    *) fail "./kata help $command does not start with its usage:
$page" ;;
    esac
    [ "$page" != "$overview" ] ||
        fail "./kata help $command prints the overview, not a page of its own"
    same=$(NO_COLOR=1 sh "$KATA" "$command" --help) ||
        fail "./kata $command --help exited $?"
    [ "$same" = "$page" ] ||
        fail "./kata $command --help differs from ./kata help $command"
done

NO_COLOR=1 sh "$KATA" help selftest | grep -q 'mutant catalogue' ||
    fail "./kata help selftest does not say it checks the mutant catalogue"
grep '^\./kata selftest' "$ROOT/README.md" | grep -q 'mutant' ||
    fail "the README's selftest line does not mention the mutants"

[ "$failures" -eq 0 ] || exit 1
echo "help pages: ok"
