#!/bin/sh
# mutants.sh - prove that every catalogued mutant makes its exercise's
# suite fail.
#
#   exercises/tools/mutants.sh BUILD_DIR [JOBS [NN...]]
#
# Run from the kit's root (./kata selftest does, after the test suite).
# A mutant is one plausible attendee bug, kept as a patch over the
# reference answer: solutions/NN-topic/mutants/NAME.patch, whose first
# line says "Bug: ..." (docs/runner.md, "The mutant catalogue"). Each is
# applied to a copy of the reference build's folder, built in the
# exercise's mutant slot (exNN-mutant, exercises/tools/mutants.cmake:
# exNN's flags and libraries) and run. The suite must fail:
#
#   killed     the suite failed, crashed, or hung and was stopped after
#              KATA_MUTANT_TIMEOUT seconds (5), plus four times as long as
#              the reference's own run took (a slow suite is not a hang)
#   survived   every test passed: the suite lets this bug through
#   broken     the patch no longer applies, changes nothing, or the
#              mutant does not compile: the catalogue entry needs mending
#
# It exits 0 only when every mutant is killed and the reference itself
# passes. A kit without solutions/ has no mutants to check: it says so and
# exits 0. NN... checks only those exercises. KATA_MUTANT_DIR names
# another folder of solutions/NN-topic/ to read the patches from (the
# harness's own test uses it: exercises/tools/test_mutants.sh).
#
# Every build holds BUILD_DIR/.kata-build.lock, the lock the runner takes
# (runner/build.c), so that ./kata watch and this check take turns on one
# build folder; a program that hangs is stopped with its whole process
# group, so that nothing it started is left running.
#
# Speed: one build of the slots per round, every exercise's next mutant
# at once with JOBS jobs; the build tool recompiles only the files that
# changed since the last round and reuses the other objects. The runs of
# a round go in parallel too.
#
# Plain POSIX sh, like ./kata.

if [ -n "${ZSH_VERSION:-}" ]; then emulate sh; fi
set -u

BUILD=${1:?usage: exercises/tools/mutants.sh BUILD_DIR [JOBS [NN...]]}
JOBS=${2:-2}
shift
[ $# -gt 0 ] && shift
ONLY=$*
TIMEOUT=${KATA_MUTANT_TIMEOUT:-5}
CATALOGUE=${KATA_MUTANT_DIR:-mutants}
EXERCISES=$BUILD/exercises
ROOT=$(pwd -P)

# ---- Output --------------------------------------------------------------

if [ -z "${NO_COLOR:-}" ] && [ "${TERM:-dumb}" != dumb ] && [ -t 1 ]; then
    RED=$(printf '\033[1;31m') GREEN=$(printf '\033[32m')
    RESET=$(printf '\033[0m')
else
    RED='' GREEN='' RESET=''
fi

say()
{
    printf '%s\n' "$@"
}

# indent FILE [LINES] - the first LINES (12) lines of FILE, indented.
indent()
{
    head -n "${2:-12}" "$1" | sed 's/^/    /'
}

# ---- What there is to check ----------------------------------------------

if [ ! -d solutions ]; then
    say "mutants: not checked: this copy of the kit has no solutions/, and" \
        "the mutant catalogues are kept beside the reference answers there."
    exit 0
fi
if ! command -v patch >/dev/null 2>&1; then
    say "${RED}mutants: not checked: the patch program is not installed.${RESET}" \
        "  Install it (apt-get install patch, dnf install patch; macOS has it)," \
        "  then run ./kata selftest again."
    exit 1
fi

# wanted SLUG - whether the command line asked for this exercise.
wanted()
{
    [ -z "$ONLY" ] && return 0
    for w_nn in $ONLY; do
        case $w_nn in
        ?) w_nn=0$w_nn ;;
        esac
        case $1 in
        "$w_nn"-*) return 0 ;;
        esac
    done
    return 1
}

SLUGS=''
for m_dir in solutions/[0-9][0-9]-*/"$CATALOGUE"; do
    [ -d "$m_dir" ] || continue
    m_slug=${m_dir#solutions/}
    m_slug=${m_slug%/"$CATALOGUE"}
    wanted "$m_slug" || continue
    set -- "$m_dir"/*.patch
    [ -f "$1" ] && SLUGS="$SLUGS $m_slug"
done
if [ -z "$SLUGS" ]; then
    say "mutants: no catalogue to check (solutions/NN-topic/$CATALOGUE/*.patch)."
    exit 0
fi

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/esk-mutants.XXXXXX") || exit 1
trap 'rm -rf "$SCRATCH"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

STARTED=$(date +%s)

# ---- Builds and runs ------------------------------------------------------

# build ARGS... - cmake --build BUILD ARGS..., holding the runner's build
# lock (a flock(2) lock on BUILD/.kata-build.lock): flock(1) where
# util-linux has it, else perl, which macOS and Debian always have. The
# lock is only for another build at the same time: without either tool
# the build goes on unlocked.
LOCK=$BUILD/.kata-build.lock
build()
{
    if command -v flock >/dev/null 2>&1; then
        flock "$LOCK" cmake --build "$BUILD" "$@"
    elif command -v perl >/dev/null 2>&1; then
        # The lock's descriptor must survive the exec ($^F: the highest
        # descriptor that is not closed on exec).
        perl -MFcntl=:flock -e '$^F = 255;
            open(my $l, ">>", shift) or die "$!\n";
            flock($l, LOCK_EX) or die "$!\n";
            exec @ARGV or die "$!\n"' "$LOCK" cmake --build "$BUILD" "$@"
    else
        cmake --build "$BUILD" "$@"
    fi
}

# in_own_group PROGRAM - exec PROGRAM as the leader of a process group of
# its own (perl's setpgrp; setsid(1) where perl is missing), so that a
# hung one can be stopped with everything it started.
in_own_group()
{
    if command -v perl >/dev/null 2>&1; then
        exec perl -e 'setpgrp(0, 0); exec @ARGV or die "$!\n"' "$1"
    elif command -v setsid >/dev/null 2>&1; then
        exec setsid "$1"
    fi
    exec "$1"
}

# ---- The slots -----------------------------------------------------------

nn_of()
{
    printf '%s\n' "${1%%-*}"
}

# The reference build's copy of the folder (exercises/CMakeLists.txt), and
# the slot that mutants are built in.
reference_of()
{
    printf '%s\n' "$EXERCISES/$1-solution"
}

slot_of()
{
    printf '%s\n' "$EXERCISES/$1-mutant"
}

# sync_slot SLUG FROM - make the slot's sources those of FROM, writing
# only the files that differ: their new time is what tells the build tool
# to compile them again.
sync_slot()
{
    ss_slot=$(slot_of "$1")
    for ss_file in "$2"/*.c "$2"/*.h; do
        [ -f "$ss_file" ] || continue
        ss_name=${ss_file##*/}
        cmp -s "$ss_file" "$ss_slot/$ss_name" ||
            cp "$ss_file" "$ss_slot/$ss_name"
    done
}

# build_slots TARGET... - build them in one go; when that fails, each one
# again alone, so that a mutant that does not compile spoils only itself.
# Leaves SCRATCH/TARGET.build (its messages) for each that failed.
build_slots()
{
    rm -f "$SCRATCH"/*.build
    build -j "$JOBS" --target "$@" >"$SCRATCH/round.log" 2>&1 && return 0
    for bs_target in "$@"; do
        build --target "$bs_target" \
            >"$SCRATCH/$bs_target.log" 2>&1 ||
            mv "$SCRATCH/$bs_target.log" "$SCRATCH/$bs_target.build"
    done
    return 0
}

# timeout_of SLUG - the seconds a mutant of SLUG may run: TIMEOUT, plus
# four times what the reference took in round 0. The reference itself
# gets a minute, as the runner gives a suite.
timeout_of()
{
    if [ -f "$SCRATCH/$1/reference.seconds" ]; then
        echo $((TIMEOUT + 4 * $(cat "$SCRATCH/$1/reference.seconds")))
    else
        echo 60
    fi
}

# run_slot SLUG OUT - run the slot's program in the exercise's scratch
# folder; write to OUT its exit status, or "hung" when it had to be
# stopped, and to OUT.seconds how long it ran. Its output goes to OUT.log.
run_slot()
{
    rs_work=$EXERCISES/$1-work/mutant
    rm -rf "$rs_work"
    mkdir -p "$rs_work"
    rs_program=$(cd "$EXERCISES" && pwd -P)/ex$(nn_of "$1")-mutant
    rs_started=$(date +%s)
    (cd "$rs_work" && in_own_group "$rs_program") >"$2.log" 2>&1 </dev/null &
    rs_pid=$!
    # The watchdog: its own output closed, so that a pipe reading ours
    # does not wait for its sleep. It stops the program's whole group
    # (what the program forked hangs too), or the program alone when it
    # has none.
    (sleep "$(timeout_of "$1")" && : >"$2.hung" &&
        { kill -9 "-$rs_pid" || kill -9 "$rs_pid"; }) >/dev/null 2>&1 &
    rs_watchdog=$!
    wait "$rs_pid"
    rs_status=$?
    kill "$rs_watchdog" 2>/dev/null
    echo $(($(date +%s) - rs_started)) >"$2.seconds"
    if [ -f "$2.hung" ]; then
        echo hung >"$2"
    else
        echo "$rs_status" >"$2"
    fi
}

# ---- The rounds ----------------------------------------------------------

# slot_holds SLUG DIR - whether the slot still has DIR's sources. A
# configure that runs in the middle of a build (a CMakeLists.txt or an
# exercise's file changed meanwhile) copies the reference over the slot
# again: a mutant built so would pass for a survivor.
slot_holds()
{
    sh_slot=$(slot_of "$1")
    for sh_file in "$2"/*.c "$2"/*.h; do
        [ -f "$sh_file" ] || continue
        cmp -s "$sh_file" "$sh_slot/${sh_file##*/}" || return 1
    done
}

# Round 0 is the reference itself, in the slot: it must pass, or no
# mutant's failure means anything.
say "mutants: checking the catalogues of$(for s in $SLUGS; do printf ' %s' "$(nn_of "$s")"; done) with $JOBS jobs"
TARGETS=''
for r_slug in $SLUGS; do
    if [ ! -d "$(reference_of "$r_slug")" ] || [ ! -d "$(slot_of "$r_slug")" ]; then
        say "${RED}mutants: $BUILD has no reference build of $r_slug:${RESET} configure it again (cmake --preset dev), then run ./kata selftest again."
        exit 1
    fi
    TARGETS="$TARGETS ex$(nn_of "$r_slug")-mutant"
    REFERENCES="${REFERENCES:-} ex$(nn_of "$r_slug")-solution"
    mkdir -p "$SCRATCH/$r_slug"
done
# The reference builds first: this configures the build again if anything
# changed, so that the copies the mutants start from are the current ones
# (and no configure happens in the middle of a round).
# shellcheck disable=SC2086 # one word per target
if ! build -j "$JOBS" --target $REFERENCES >"$SCRATCH/references.log" 2>&1; then
    say "${RED}mutants: the reference answers do not build:${RESET}"
    grep 'error:' "$SCRATCH/references.log" | sed "s#$ROOT/##" | head -n 12 | sed 's/^/    /'
    exit 1
fi
for r_slug in $SLUGS; do
    sync_slot "$r_slug" "$(reference_of "$r_slug")"
done
# shellcheck disable=SC2086 # one word per target
build_slots $TARGETS
BASELINE_OK=''
for r_slug in $SLUGS; do
    r_target=ex$(nn_of "$r_slug")-mutant
    if [ -f "$SCRATCH/$r_target.build" ]; then
        say "${RED}mutants: the reference answer of $r_slug does not build in its slot $r_target:${RESET}"
        grep 'error:' "$SCRATCH/$r_target.build" | sed "s#$ROOT/##" | head -n 8 | sed 's/^/    /'
        continue
    fi
    run_slot "$r_slug" "$SCRATCH/$r_slug/reference" 2>/dev/null &
done
wait
for r_slug in $SLUGS; do
    r_verdict=$SCRATCH/$r_slug/reference
    [ -f "$r_verdict" ] || continue
    if [ "$(cat "$r_verdict")" = 0 ]; then
        BASELINE_OK="$BASELINE_OK $r_slug"
    else
        say "${RED}mutants: the suite of $r_slug fails on the reference answer itself${RESET}" \
            "  (exit status $(cat "$r_verdict")), so no mutant of it can be judged. Its output:"
        indent "$r_verdict.log" 30
    fi
done

# stage SLUG PATCH DIR - the reference with the patch applied, in DIR.
# Fails, with the reason in DIR.why, when the catalogue entry is broken.
stage()
{
    rm -rf "$3"
    mkdir -p "$3"
    cp "$(reference_of "$1")"/*.[ch] "$3"/
    if ! patch -p1 -N -s -d "$3" -i "$(pwd -P)/$2" >"$3.why" 2>&1 </dev/null; then
        {
            echo "the patch no longer applies to the reference answer:"
            cat "$3.why"
        } >"$3.why2"
        mv "$3.why2" "$3.why"
        return 1
    fi
    if diff -r "$(reference_of "$1")" "$3" >/dev/null 2>&1; then
        echo "the patch changes nothing in the reference answer." >"$3.why"
        return 1
    fi
    # Left by patch beside a file it could not apply cleanly.
    rm -f "$3"/*.orig "$3"/*.rej
}

# Round k builds and runs the k-th mutant of every exercise that has one.
# The lists are read once: a patch added while the check runs waits for
# the next check.
ROUNDS=0
for r_slug in $BASELINE_OK; do
    set -- "solutions/$r_slug/$CATALOGUE/"*.patch
    printf '%s\n' "$@" >"$SCRATCH/$r_slug/list"
    [ $# -le "$ROUNDS" ] || ROUNDS=$#
done
round=1
while [ "$round" -le "$ROUNDS" ]; do
    # On a terminal, where the check stands: a round takes seconds.
    [ -t 1 ] && printf '\r  mutant %d of %d of each catalogue ' "$round" \
        "$ROUNDS"
    TARGETS=''
    RUN=''
    for r_slug in $BASELINE_OK; do
        r_patch=$(sed -n "${round}p" "$SCRATCH/$r_slug/list")
        [ -n "$r_patch" ] || continue
        r_name=${r_patch##*/}
        r_name=${r_name%.patch}
        r_out=$SCRATCH/$r_slug/$r_name
        echo "$r_patch" >>"$SCRATCH/$r_slug/patches"
        if stage "$r_slug" "$r_patch" "$SCRATCH/stage-$r_slug"; then
            sync_slot "$r_slug" "$SCRATCH/stage-$r_slug"
            TARGETS="$TARGETS ex$(nn_of "$r_slug")-mutant"
            RUN="$RUN $r_slug:$r_name"
        else
            echo broken >"$r_out"
            mv "$SCRATCH/stage-$r_slug.why" "$r_out.why"
        fi
    done
    round=$((round + 1))
    [ -n "$TARGETS" ] || continue
    # shellcheck disable=SC2086 # one word per target
    build_slots $TARGETS
    for r_item in $RUN; do
        r_slug=${r_item%%:*}
        r_name=${r_item#*:}
        r_target=ex$(nn_of "$r_slug")-mutant
        if [ -f "$SCRATCH/$r_target.build" ]; then
            echo broken >"$SCRATCH/$r_slug/$r_name"
            {
                echo "the mutant does not compile:"
                grep 'error:' "$SCRATCH/$r_target.build" | sed "s#$ROOT/##" | head -n 8
            } >"$SCRATCH/$r_slug/$r_name.why"
            continue
        fi
        if ! slot_holds "$r_slug" "$SCRATCH/stage-$r_slug"; then
            echo lost >"$SCRATCH/$r_slug/$r_name"
            continue
        fi
        # Its own messages ("Killed") say nothing the verdict does not.
        run_slot "$r_slug" "$SCRATCH/$r_slug/$r_name" 2>/dev/null &
    done
    wait
done

[ -t 1 ] && printf '\r%50s\r' ''

# Leave each slot holding the reference again.
for r_slug in $SLUGS; do
    sync_slot "$r_slug" "$(reference_of "$r_slug")"
done

# ---- The verdicts --------------------------------------------------------

# bug_of PATCH - its "Bug:" line.
bug_of()
{
    sed -n 's/^Bug: *//p' "$1" | head -n 1
}

# check_docs SLUG TOTAL KILLED - whether docs/runner.md's table of kill
# counts says the same (checked on the whole catalogue only).
DOCS=docs/runner.md
check_docs()
{
    [ -z "$ONLY" ] && [ "$CATALOGUE" = mutants ] && [ -f "$DOCS" ] ||
        return 0
    cd_row=$(sed -n "s/^| $1 | \([0-9]*\) | \([0-9]*\) |\$/\1 \2/p" \
        "$DOCS" | head -n 1)
    [ "$cd_row" = "$2 $3" ] && return 0
    if [ -z "$cd_row" ]; then
        say "${RED}KILL COUNTS${RESET} $DOCS has no row for $1 in its table of kill counts:" \
            "    add | $1 | $2 | $3 |"
    else
        say "${RED}KILL COUNTS${RESET} $DOCS says $1 has ${cd_row% *} mutants, ${cd_row#* } killed; the catalogue has $2, $3 killed:" \
            "    make its row | $1 | $2 | $3 |"
    fi
    return 1
}

FAILED=0
SUMMARY=''
for v_slug in $SLUGS; do
    v_nn=$(nn_of "$v_slug")
    case " $BASELINE_OK " in
    *" $v_slug "*) ;;
    *)
        FAILED=1
        SUMMARY="$SUMMARY · $v_nn reference fails"
        continue
        ;;
    esac
    v_total=0
    v_killed=0
    v_hung=0
    while IFS= read -r v_patch; do
        v_total=$((v_total + 1))
        v_name=${v_patch##*/}
        v_name=${v_name%.patch}
        v_out=$SCRATCH/$v_slug/$v_name
        v_verdict=$(cat "$v_out" 2>/dev/null || echo missing)
        case $v_verdict in
        0)
            FAILED=1
            say "${RED}SURVIVED${RESET} $v_slug/$v_name: every test passes with this bug." \
                "    Bug: $(bug_of "$v_patch")" \
                "    Add the test that catches it to exercises/$v_slug/ (never weaken the mutant)."
            ;;
        broken)
            FAILED=1
            say "${RED}BROKEN CATALOGUE ENTRY${RESET} $v_patch:"
            indent "$v_out.why"
            say "    Remake it with diff -u against the reference answer (docs/runner.md, \"The mutant catalogue\")."
            ;;
        hung)
            v_killed=$((v_killed + 1))
            v_hung=$((v_hung + 1))
            say "killed (it hung and was stopped after $(timeout_of "$v_slug") s): $v_slug/$v_name"
            ;;
        lost)
            FAILED=1
            say "${RED}NOT CHECKED${RESET} $v_slug/$v_name: the build configured itself again while the mutant was built, and put the reference back in its place." \
                "    Did a file of the kit change meanwhile? Run ./kata selftest again."
            ;;
        missing)
            FAILED=1
            say "${RED}NOT RUN${RESET} $v_slug/$v_name: the harness lost track of it."
            ;;
        *) v_killed=$((v_killed + 1)) ;;
        esac
    done <"$SCRATCH/$v_slug/patches"
    SUMMARY="$SUMMARY · $v_nn $v_killed/$v_total killed"
    check_docs "$v_slug" "$v_total" "$v_killed" || FAILED=1
done

SUMMARY=${SUMMARY# · }
say "mutants: $SUMMARY ($(($(date +%s) - STARTED)) s)"
if [ "$FAILED" -ne 0 ]; then
    say "${RED}mutants: not every catalogued bug is caught; see above.${RESET}"
    exit 1
fi
say "${GREEN}mutants: every catalogued bug makes its suite fail.${RESET}"
exit 0
