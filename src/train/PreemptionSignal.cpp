#include "train/PreemptionSignal.hpp"

#include <csignal>

namespace p2l {
namespace {

volatile std::sig_atomic_t g_requested = 0;

extern "C" void on_preemption_signal(int) { g_requested = 1; }

}  // namespace

void PreemptionSignal::install() {
  struct sigaction sa {};
  sa.sa_handler = on_preemption_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
}

bool PreemptionSignal::requested() { return g_requested != 0; }
void PreemptionSignal::request() { g_requested = 1; }
void PreemptionSignal::clear() { g_requested = 0; }

}  // namespace p2l
