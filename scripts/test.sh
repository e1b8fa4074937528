#!/usr/bin/env bash
# Installs, builds everything (library, tools, tests, benchmarks) and runs every test with CTest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
build="${P2L_BUILD_DIR:-$root/build}"
cd "$build"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
exec ctest --output-on-failure --timeout 900 -j"${P2L_TEST_JOBS:-2}"
