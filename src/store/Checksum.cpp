#include "store/Checksum.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace p2l {

uint64_t fnv1a64(const void* data, size_t n, uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;  // the 64-bit FNV prime
  }
  return h;
}

std::string hex64(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string file_checksum(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f)  // the words read_nifti_* use, so a missing input reads the same wherever it is found
    throw std::runtime_error(path + (errno == ENOENT ? std::string(": file not found")
                                                     : ": cannot read for checksum: " + std::string(std::strerror(errno))));
  std::vector<char> buf(1 << 20);
  uint64_t h = kFnvOffset;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) h = fnv1a64(buf.data(), n, h);
  if (std::ferror(f.get())) throw std::runtime_error(path + ": read error while hashing");
  return hex64(h);
}

std::string string_checksum(const std::string& text) { return hex64(fnv1a64(text.data(), text.size())); }

}  // namespace p2l
