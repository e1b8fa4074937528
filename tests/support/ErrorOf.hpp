#pragma once
// The message of the exception `f` throws, or "" when it throws nothing: tests assert on what
// an error says (the path, the key, the reason), not only that it was raised.
#include <exception>
#include <string>

namespace p2l::testing {

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace p2l::testing
