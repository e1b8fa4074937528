#pragma once
// An enum with a stable id per value, checked at the boundary as MONAI's look_up_option: a
// config or file value becomes an enum once, with an error naming the accepted ids. Files,
// tables and the sweep layer key on the ids, so rewording a display label breaks nothing.
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace p2l {

template <class E>
class NamedEnum {
 public:
  NamedEnum(std::initializer_list<std::pair<E, const char*>> ids) : ids_(ids) {}

  const char* id(E e) const {
    for (const auto& [value, name] : ids_)
      if (value == e) return name;
    throw std::logic_error("enum value without an id");
  }

  // Throws "<what>: unknown value '<text>' (expected a, b, c)".
  E parse(const std::string& text, const std::string& what) const {
    for (const auto& [value, name] : ids_)
      if (text == name) return value;
    std::string expected;
    for (const auto& [value, name] : ids_) expected += (expected.empty() ? "" : ", ") + std::string(name);
    throw std::runtime_error(what + ": unknown value '" + text + "' (expected " + expected + ")");
  }

  // The value of `text`; nullopt for text of an open set that may hold other names too.
  std::optional<E> find(const std::string& text) const {
    for (const auto& [value, name] : ids_)
      if (text == name) return value;
    return std::nullopt;
  }

  std::vector<E> values() const {
    std::vector<E> out;
    for (const auto& [value, name] : ids_) out.push_back(value);
    return out;
  }

  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (const auto& [value, name] : ids_) out.push_back(name);
    return out;
  }

 private:
  std::vector<std::pair<E, const char*>> ids_;
};

}  // namespace p2l
