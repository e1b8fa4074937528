#include "preprocess/MpiSession.hpp"

#include <mpi.h>

#include <iostream>
#include <string>

namespace p2l {

MpiSession::MpiSession(int* argc, char*** argv) {
  MPI_Init(argc, argv);
  // Communication errors end the whole job (the default, made explicit) instead of hanging.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void MpiSession::abort(const std::string& tool, const std::string& message) const {
  // One write, so the lines of several failing ranks do not interleave.
  std::cerr << (tool + " rank " + std::to_string(rank_) + "/" + std::to_string(size_) +
                ": fatal: " + message + " (aborting all ranks)\n")
            << std::flush;
  MPI_Abort(MPI_COMM_WORLD, 2);
  std::exit(2);
}

}  // namespace p2l
