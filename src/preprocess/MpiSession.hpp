#pragma once
// RAII MPI initialisation for the preprocessing job. Works under mpirun/srun and as a plain
// process (a world of one rank).
#include <string>

namespace p2l {

class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();  // MPI_Finalize
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Prints "<tool> rank R/N: fatal: <message>" to stderr and aborts every rank of the job, so
  // a failing rank never leaves the others waiting in a collective.
  [[noreturn]] void abort(const std::string& tool, const std::string& message) const;

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace p2l
