#pragma once
// A world of N ranks as N threads of the test process, with in-memory collectives (as
// XGBoost's in-memory communicator): the stages' distributed logic runs, and is compared with one
// rank, in one process. Collectives meet at a shared slot table behind a barrier; a rank that
// waits more than 60 s for the others throws, so a test that breaks a collective fails instead
// of hanging. The progress channel (post_count, take_count) is not provided: no stage under
// these tests uses it, and calling it throws.
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dist/World.hpp"

namespace p2l::testing {

class ThreadWorld : public World {
 public:
  struct Hub {
    explicit Hub(int n) : size(n), slots(size_t(n)) {}
    int size;
    std::mutex m;
    std::condition_variable cv;
    int arrived = 0;
    long generation = 0;
    std::vector<std::string> slots;
  };
  ThreadWorld(Hub& hub, int rank) : hub_(hub), rank_(rank) {}

  int rank() const override { return rank_; }
  int size() const override { return hub_.size; }
  int local_rank() const override { return rank_; }
  int local_size() const override { return hub_.size; }

  void barrier() override {
    std::unique_lock<std::mutex> l(hub_.m);
    const long gen = hub_.generation;
    if (++hub_.arrived == hub_.size) {
      hub_.arrived = 0, ++hub_.generation;
      hub_.cv.notify_all();
      return;
    }
    if (!hub_.cv.wait_for(l, std::chrono::seconds(60), [&] { return hub_.generation != gen; }))
      throw std::runtime_error("ThreadWorld: rank " + std::to_string(rank_) + " waited 60 s for the others");
  }
  void broadcast(std::string& text, int root) override {
    if (rank_ == root) hub_.slots[size_t(root)] = text;
    barrier();
    text = hub_.slots[size_t(root)];
    barrier();
  }
  void broadcast(std::vector<int>& values, int root) override { broadcast_numbers(values, root); }
  void broadcast(std::vector<long>& values, int root) override { broadcast_numbers(values, root); }
  std::string gather_text(const std::string& mine) override {
    hub_.slots[size_t(rank_)] = mine;
    barrier();
    std::string all;
    if (rank_ == 0)
      for (const auto& s : hub_.slots) all += s;
    barrier();
    return all;
  }
  void all_reduce_sum(std::vector<double>& values) override {
    hub_.slots[size_t(rank_)] = std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
    barrier();
    std::vector<double> sum(values.size(), 0.0), one(values.size());
    for (const auto& s : hub_.slots) {
      std::memcpy(one.data(), s.data(), s.size());
      for (size_t i = 0; i < sum.size(); ++i) sum[i] += one[i];
    }
    barrier();
    values = sum;
  }
  int all_reduce_sum(int value) override {
    std::vector<double> v{double(value)};
    all_reduce_sum(v);
    return int(v[0]);
  }
  void post_count(long, bool) override { throw std::logic_error("ThreadWorld: no progress channel"); }
  void wait_posted() override { throw std::logic_error("ThreadWorld: no progress channel"); }
  std::optional<PostedCount> take_count(bool) override { throw std::logic_error("ThreadWorld: no progress channel"); }
  [[noreturn]] void abort(const std::string& tool, const std::string& message) override {
    throw std::runtime_error(fatal_line(tool, rank_, hub_.size, message));
  }

 private:
  template <class T>
  void broadcast_numbers(std::vector<T>& values, int root) {
    std::string bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
    broadcast(bytes, root);
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  }
  Hub& hub_;
  int rank_;
};

// body(world, rank) on n thread ranks; the first failure is rethrown after all ended.
inline void on_thread_world(int n, const std::function<void(World&, int)>& body) {
  ThreadWorld::Hub hub(n);
  std::vector<std::exception_ptr> err(static_cast<size_t>(n));
  std::vector<std::thread> ranks;
  for (int k = 0; k < n; ++k)
    ranks.emplace_back([&, k] {
      try {
        ThreadWorld w(hub, k);
        body(w, k);
      } catch (...) {
        err[size_t(k)] = std::current_exception();
      }
    });
  for (auto& t : ranks) t.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
}

}  // namespace p2l::testing
