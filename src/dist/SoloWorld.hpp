#pragma once
// A world of one process without MPI (dist/World.hpp): collectives return their input, counts
// posted to rank 0 (itself) wait in a queue until taken. For stage logic under test.
#include <deque>

#include "dist/World.hpp"

namespace p2l {

class SoloWorld final : public World {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  int local_size() const override { return 1; }

  void barrier() override {}
  void broadcast(std::string& text, int root = 0) override;
  void broadcast(std::vector<int>& values, int root = 0) override;
  void broadcast(std::vector<long>& values, int root = 0) override;
  std::string gather_text(const std::string& mine) override { return mine; }
  void all_reduce_sum(std::vector<double>& values) override {}
  int all_reduce_sum(int value) override { return value; }

  void post_count(long count, bool final) override;
  void wait_posted() override {}
  // Throws std::logic_error when asked to wait with nothing posted (it would wait forever).
  std::optional<PostedCount> take_count(bool wait) override;

  // Prints the fatal line and exits with code 2.
  [[noreturn]] void abort(const std::string& tool, const std::string& message) override;

 private:
  std::deque<PostedCount> posted_;
};

}  // namespace p2l
