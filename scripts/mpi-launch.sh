#!/usr/bin/env bash
# mpirun with the settings a single workstation or a root container needs:
# ranks may exceed cores (oversubscribe) and root may launch. Usage: mpi-launch.sh NP cmd...
set -euo pipefail
np="$1"; shift
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Loopback only: no interface discovery on machines without a network.
export OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
exec mpirun -np "$np" --bind-to none "$@"
