#pragma once
// Plain values to bytes and back, exactly (doubles bit for bit), for what ranks send each other
// (World::broadcast, World::gather_text): a writer appends, a reader takes the values in the
// same order and throws when the bytes end early. Native byte order: both ends run this build.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace p2l {

class ByteWriter {
 public:
  template <class T>
  void put(T v) {
    static_assert(std::is_arithmetic_v<T>, "ByteWriter::put: a number");
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put(const std::string& s) {
    put(uint64_t(s.size()));
    bytes_.append(s);
  }
  template <class T>
  void put(const std::vector<T>& v) {
    static_assert(std::is_arithmetic_v<T>, "ByteWriter::put: a vector of numbers");
    put(uint64_t(v.size()));
    bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : bytes_(bytes) {}
  bool done() const { return at_ == bytes_.size(); }
  template <class T>
  T get() {
    static_assert(std::is_arithmetic_v<T>, "ByteReader::get: a number");
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  std::string get_string() {
    const auto n = size_t(get<uint64_t>());
    return std::string(take(n), n);
  }
  template <class T>
  std::vector<T> get_vector() {
    const auto n = size_t(get<uint64_t>());
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));
    return v;
  }

 private:
  const char* take(size_t n) {
    if (bytes_.size() - at_ < n) throw std::runtime_error("ByteReader: the bytes ended early (a truncated message)");
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  const std::string& bytes_;
  size_t at_ = 0;
};

}  // namespace p2l
