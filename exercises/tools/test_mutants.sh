#!/bin/sh
# test_mutants.sh - the mutant harness (mutants.sh) judged on entries
# whose verdict is known: solutions/01-events/harness-check/ holds one
# mutant the suite kills, one it cannot (a reworded comment), one that
# hangs, one that hangs in a child process too, one that does not compile
# and one that no longer applies. Every build it starts must hold the
# build lock that the runner takes.
#
#   exercises/tools/test_mutants.sh BUILD_DIR     (from the kit's root)
#
# ./kata selftest runs it before the catalogue, once (not in ctest, which
# CI runs in every preset): a harness that cannot tell these apart would
# make every kill count meaningless. It also checks that a kit without
# solutions/ is told that its mutants cannot be checked, without failing.

if [ -n "${ZSH_VERSION:-}" ]; then emulate sh; fi
set -u

BUILD=$(cd "${1:?usage: exercises/tools/test_mutants.sh BUILD_DIR}" && pwd -P) ||
    exit 1
HERE=$(cd "$(dirname "$0")" && pwd -P) || exit 1
FAILED=0
OUT=$(mktemp "${TMPDIR:-/tmp}/esk-mutants-test.XXXXXX") || exit 1
EMPTY=$(mktemp -d "${TMPDIR:-/tmp}/esk-no-solutions.XXXXXX") || exit 1
trap 'rm -rf "$OUT" "$EMPTY"' EXIT

# Every build the harness starts must hold the runner's build lock
# (runner/build.c), so that ./kata watch and ./kata selftest never build
# one folder at once: a cmake ahead on PATH notes whether it is held.
LOCK=$BUILD/.kata-build.lock
BUILDS=$EMPTY/builds.log
REAL_CMAKE=$(command -v cmake) || exit 1
mkdir -p "$EMPTY/bin"
cat >"$EMPTY/bin/cmake" <<EOF
#!/bin/sh
case " \$* " in
*" --build "*)
    if perl -MFcntl=:flock -e 'open(my \$l, ">>", shift) or exit 2;
        exit(flock(\$l, LOCK_EX | LOCK_NB) ? 1 : 0)' "$LOCK"; then
        echo held
    else
        echo "free: cmake \$*"
    fi >>"$BUILDS"
    ;;
esac
exec "$REAL_CMAKE" "\$@"
EOF
chmod +x "$EMPTY/bin/cmake"

# A hung mutant's process forks a child that loops too, and writes its
# process id here: it must not outlive the check.
CHILD_PID=$BUILD/exercises/01-events-work/hung-child.pid
rm -f "$CHILD_PID"

# expect TEXT WHY - the harness's output has TEXT.
expect()
{
    if ! grep -qF -- "$1" "$OUT"; then
        printf 'FAILED: %s\n  expected in the output: %s\n' "$2" "$1"
        FAILED=1
    fi
}

PATH=$EMPTY/bin:$PATH NO_COLOR=1 KATA_MUTANT_DIR=harness-check \
    KATA_MUTANT_TIMEOUT=2 sh "$HERE/mutants.sh" "$BUILD" 2 1 >"$OUT" 2>&1
status=$?
cat "$OUT"
[ "$status" -eq 1 ] || {
    printf 'FAILED: a survivor and broken entries must fail the check (exit 1), not %s\n' "$status"
    FAILED=1
}
expect "SURVIVED 01-events/survives" "a mutant every test passes is named"
expect "Bug: a comment reworded" "a survivor is shown with its Bug: line"
expect "killed (it hung and was stopped after 2 s): 01-events/hangs" \
    "a mutant that hangs is stopped, counted killed, and said so"
expect "BROKEN CATALOGUE ENTRY solutions/01-events/harness-check/does-not-apply.patch" \
    "a patch that no longer applies is a broken entry"
expect "the patch no longer applies to the reference answer" \
    "the broken entry says why"
expect "BROKEN CATALOGUE ENTRY solutions/01-events/harness-check/does-not-compile.patch" \
    "a mutant that does not compile is a broken entry"
expect "the mutant does not compile:" "the broken entry says why"
expect "killed (it hung and was stopped after 2 s): 01-events/hangs-in-a-child" \
    "a mutant that hangs in two processes is stopped"
expect "mutants: 01 3/6 killed" \
    "the kill count counts the killed and the hung only"
if [ ! -s "$BUILDS" ] || grep -q '^free' "$BUILDS"; then
    printf 'FAILED: every build of the harness holds %s\n' "$LOCK"
    cat "$BUILDS" 2>/dev/null
    FAILED=1
fi
# gone PID - whether the process has ended (a zombie counts).
gone()
{
    g_tries=0
    while [ "$g_tries" -lt 30 ]; do
        kill -0 "$1" 2>/dev/null || return 0
        case $(ps -o stat= -p "$1" 2>/dev/null) in
        Z*) return 0 ;;
        esac
        sleep 0.1
        g_tries=$((g_tries + 1))
    done
    return 1
}
if [ ! -s "$CHILD_PID" ]; then
    printf 'FAILED: the mutant that hangs in a child did not start it\n'
    FAILED=1
elif ! gone "$(cat "$CHILD_PID")"; then
    printf 'FAILED: the hung mutant'"'"'s child outlived the check (its whole process group must be stopped)\n'
    kill -9 "$(cat "$CHILD_PID")"
    FAILED=1
fi
if grep -q "killed.*01-events/killed\|SURVIVED 01-events/killed" "$OUT"; then
    printf 'FAILED: a killed mutant needs no line of its own\n'
    FAILED=1
fi

# A kit without solutions/: nothing to check, and no failure for that.
(cd "$EMPTY" && NO_COLOR=1 sh "$HERE/mutants.sh" "$BUILD" 2) >"$OUT" 2>&1
status=$?
cat "$OUT"
[ "$status" -eq 0 ] || {
    printf 'FAILED: without solutions/, the check must not fail (exit %s)\n' "$status"
    FAILED=1
}
expect "mutants: not checked: this copy of the kit has no solutions/" \
    "without solutions/ it says what it cannot check"

[ "$FAILED" -eq 0 ] && echo "The mutant harness tells each kind of entry apart."
exit "$FAILED"
