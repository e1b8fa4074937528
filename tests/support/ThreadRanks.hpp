#pragma once
// Two real Gloo ranks of one node, run as two threads of the test process: body(comm, rank)
// on each; the first failure is rethrown after both ended. The rendezvous places them as local
// ranks 0 and 1 of one node (one process: one node identity).
#include <chrono>
#include <exception>
#include <functional>
#include <thread>

#include "dist/Communicator.hpp"
#include "dist/Rendezvous.hpp"

namespace p2l::testing {

// body(k) on two threads, k = 0 and 1; the first failure is rethrown after both ended.
inline void on_two_threads(const std::function<void(int)>& body) {
  std::exception_ptr err[2];
  auto run = [&](int k) {
    try {
      body(k);
    } catch (...) {
      err[k] = std::current_exception();
    }
  };
  std::thread t0(run, 0), t1(run, 1);
  t0.join();
  t1.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
}

inline void on_two_thread_ranks(const std::function<void(Communicator&, int)>& body) {
  const MasterEndpoint m{"127.0.0.1", pick_free_port()};
  on_two_threads([&](int k) {
    RankInfo who;
    who.rank = k, who.size = 2;
    Communicator comm(who, m, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(60));
    body(comm, k);
  });
}

}  // namespace p2l::testing
