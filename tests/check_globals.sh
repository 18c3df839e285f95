#!/usr/bin/env bash
# Style gate as a test: no writable global state in the library.
cd "$(dirname "$0")/.."
if out=$(scripts/check-globals build/libsw.a); then
	echo "PASS: no writable globals in libsw"
else
	echo "FAIL: writable globals in libsw: $out"
	exit 1
fi
