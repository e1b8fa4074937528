#include "store/RankText.hpp"

#include <mpi.h>

#include <sstream>

namespace p2l {

std::string gather_text_at_root(const std::string& mine) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = int(mine.size());
  std::vector<int> sizes(size), displs(size, 0);
  MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (rank == 0) {
    for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + sizes[r - 1];
    all.resize(size_t(displs.back() + sizes.back()));
  }
  MPI_Gatherv(mine.data(), n, MPI_CHAR, all.data(), sizes.data(), displs.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  return all;
}

std::string join_record(const std::vector<std::string>& fields) {
  std::string s;
  for (size_t i = 0; i < fields.size(); ++i) s += (i ? "\x1f" : "") + fields[i];
  return s + '\x1e';
}

std::vector<std::vector<std::string>> split_records(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::stringstream records(text);
  std::string rec;
  while (std::getline(records, rec, '\x1e')) {
    std::vector<std::string> f;
    std::stringstream fields(rec);
    std::string x;
    while (std::getline(fields, x, '\x1f')) f.push_back(x);
    if (!rec.empty() && rec.back() == '\x1f') f.emplace_back();  // getline drops a last empty field
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace p2l
