#!/usr/bin/env bash
# Runs the long fuzz runs (xunit trait Category=LongRunning) that the normal suite skips with
#   dotnet test --filter "Category!=LongRunning"
# Ten thousand structure-aware mutants per format by default (KERASNOTES_FUZZ_LONG_ITERATIONS overrides it).
# Usage: tools/fuzz-long.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -ge 1 ]]; then
  export KERASNOTES_FUZZ_LONG_ITERATIONS="$1"
fi
dotnet test tests/KerasNotes.Tests/KerasNotes.Tests.csproj --filter "Category=LongRunning" --logger "console;verbosity=detailed"
