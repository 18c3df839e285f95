#!/usr/bin/env bash
# Style gate as a test: no writable global state in the library. The checker
# itself must also catch a planted global and refuse a missing library.
cd "$(dirname "$0")/.."
if out=$(scripts/check-globals build/libsw.a); then
	echo "PASS: no writable globals in libsw"
else
	echo "FAIL: writable globals in libsw: $out"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'int g_counter;\nint bump(void) { return ++g_counter; }\n' >"$tmp/g.c"
cc -c "$tmp/g.c" -o "$tmp/g.o" && ar rcs "$tmp/g.a" "$tmp/g.o"
if scripts/check-globals "$tmp/g.a" 2>&1 | grep -q 'g_counter'; then
	echo "PASS: check-globals reports a planted writable global"
else
	echo "FAIL: check-globals missed a planted writable global"
fi
if scripts/check-globals "$tmp/missing.a" >/dev/null 2>&1; then
	echo "FAIL: check-globals passed on a missing library"
else
	echo "PASS: check-globals fails on a missing library"
fi
