#!/bin/sh
# tests/consumer/run.sh PREFIX - check that an installed esk works for the
# projects that use it.
#
# It builds main.c (beside this script) against the esk installed in PREFIX
# the two ways a user would:
#   1. CMake:      find_package(esk) and esk::esk (CMakeLists.txt here);
#   2. pkg-config: cc main.c $(pkg-config --cflags --libs --static esk);
# then runs both programs and checks what they print. It installs nothing;
# install first, for instance:
#   cmake --install build/release --prefix /tmp/esk
# To check that the install is relocatable, move PREFIX somewhere else
# before running this: .ci/run does.

# zsh splits unquoted words only when it emulates sh.
if [ -n "${ZSH_VERSION:-}" ]; then emulate sh; fi
set -eu

EXPECTED=WorkshopScheduled

fail()
{
    printf 'consumer: %s\n' "$@" >&2
    exit 1
}

[ $# -eq 1 ] || fail "usage: $0 PREFIX (the folder esk was installed to)"
[ -d "$1" ] || fail "$1 is not a folder: install esk there first, e.g." \
    "  cmake --install build/release --prefix $1"
PREFIX=$(cd "$1" && pwd -P)
HERE=$(cd "$(dirname "$0")" && pwd -P)

# esk.pc sits in <libdir>/pkgconfig, and libdir may be lib, lib64 or
# lib/<multiarch>: look for it rather than guess.
PC=$(find "$PREFIX" -path '*/pkgconfig/esk.pc' | head -n 1)
[ -n "$PC" ] || fail "no pkgconfig/esk.pc under $PREFIX: is esk installed there?"
PCDIR=$(dirname "$PC")
LIBDIR=$(dirname "$PCDIR")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/esk-consumer.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# A shared libesk (BUILD_SHARED_LIBS=ON) must be found at run time too; a
# static one makes this a no-op.
LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
DYLD_LIBRARY_PATH="$LIBDIR${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}"
export LD_LIBRARY_PATH DYLD_LIBRARY_PATH

# Runs a command quietly, and shows its output only when it fails.
quiet()
{
    if ! "$@" >"$WORK/log" 2>&1; then
        cat "$WORK/log" >&2
        fail "this failed: $*"
    fi
}

check_output()
{
    got=$("$2") || fail "$1: the program failed (exit status $?)"
    [ "$got" = "$EXPECTED" ] ||
        fail "$1: the program printed '$got', expected '$EXPECTED'"
    printf 'ok: %s: built, ran and printed %s\n' "$1" "$got"
}

# 1. CMake. The package registries are off so that only PREFIX can
# provide esk; the cache then tells where it was found.
quiet cmake -S "$HERE" -B "$WORK/cmake" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
ESK_DIR=$(sed -n 's/^esk_DIR:[A-Z]*=//p' "$WORK/cmake/CMakeCache.txt")
case $ESK_DIR in
"$PREFIX"/*) ;;
*) fail "find_package(esk) used $ESK_DIR, not the esk in $PREFIX" ;;
esac
quiet cmake --build "$WORK/cmake"
check_output "CMake find_package(esk)" "$WORK/cmake/consumer"

# 2. pkg-config, the way a Makefile would do it.
PKG_CONFIG_PATH="$PCDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
FLAGS=$(pkg-config --cflags --libs --static esk) ||
    fail "pkg-config cannot use $PC (see above)"
# The flags are several words on purpose.
# shellcheck disable=SC2086
quiet ${CC:-cc} -std=c11 -o "$WORK/consumer-pc" "$HERE/main.c" $FLAGS
check_output "pkg-config --static esk" "$WORK/consumer-pc"
