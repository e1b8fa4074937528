#pragma once
// Two real Gloo ranks of one node, run as two threads of the test process: body(comm, rank)
// on each; the first failure is rethrown after both ended.
#include <chrono>
#include <exception>
#include <functional>
#include <thread>

#include "dist/Communicator.hpp"
#include "dist/Rendezvous.hpp"

namespace p2l::testing {

inline void on_two_thread_ranks(const std::function<void(Communicator&, int)>& body) {
  const MasterEndpoint m{"127.0.0.1", pick_free_port()};
  std::exception_ptr err[2];
  auto rank = [&](int k) {
    try {
      RankInfo who;
      who.rank = k, who.world = 2, who.local_rank = k, who.local_world = 2;
      Communicator comm(who, m, "gloo", c10::Device(c10::kCPU), std::chrono::seconds(60));
      body(comm, k);
    } catch (...) {
      err[k] = std::current_exception();
    }
  };
  std::thread t0(rank, 0), t1(rank, 1);
  t0.join();
  t1.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
}

}  // namespace p2l::testing
