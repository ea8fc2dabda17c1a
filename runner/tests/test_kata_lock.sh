#!/bin/sh
# test_kata_lock.sh KATA - ./kata setup (and so selftest, which builds
# the same way) builds build/dev holding the build lock that the runner
# and the mutant harness take, so that a ./kata watch in another
# terminal never builds the same folder at once.
#
# It runs a copy of the script in a folder of its own, whose build/dev
# looks configured, with a cmake ahead on PATH that only notes whether
# the lock is held: nothing is configured or built.
set -u
KATA=$1
HERE=$(mktemp -d "${TMPDIR:-/tmp}/esk-kata-lock.XXXXXX") || exit 1
trap 'rm -rf "$HERE"' EXIT
mkdir -p "$HERE/kit/build/dev" "$HERE/bin"
cp "$KATA" "$HERE/kit/kata"
: >"$HERE/kit/build/dev/CMakeCache.txt"
: >"$HERE/kit/build/dev/Makefile"
LOCK=$HERE/kit/build/dev/.kata-build.lock
BUILDS=$HERE/builds.log
cat >"$HERE/bin/cmake" <<SCRIPT
#!/bin/sh
case " \$* " in
*" --version "*) echo "cmake version 3.28.0" ;;
*" --build "*)
    if perl -MFcntl=:flock -e 'open(my \$l, ">>", shift) or exit 2;
        exit(flock(\$l, LOCK_EX | LOCK_NB) ? 1 : 0)' "$LOCK"; then
        echo "held: cmake \$*"
    else
        echo "free: cmake \$*"
    fi >>"$BUILDS"
    ;;
esac
exit 0
SCRIPT
# ninja only has to be there.
printf '#!/bin/sh\nexit 0\n' >"$HERE/bin/ninja"
chmod +x "$HERE/bin/cmake" "$HERE/bin/ninja"

PATH=$HERE/bin:$PATH NO_COLOR=1 sh "$HERE/kit/kata" setup </dev/null ||
    { echo "FAIL: ./kata setup exited $?"; exit 1; }
cat "$BUILDS" 2>/dev/null
if [ ! -s "$BUILDS" ] || grep -q '^free' "$BUILDS"; then
    echo "FAIL: ./kata setup builds build/dev without holding $LOCK"
    exit 1
fi
echo "setup's build holds the build lock: ok"
