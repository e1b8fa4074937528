#pragma once
// 64-bit FNV-1a content hashes: provenance of preprocessed subjects (input file checksums) and
// the config hash that decides whether a stored subject can be reused by a rerun.
#include <cstddef>
#include <cstdint>
#include <string>

namespace p2l {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;

uint64_t fnv1a64(const void* data, size_t n, uint64_t state = kFnvOffset);
// 16 lower-case hex digits.
std::string hex64(uint64_t h);
// Hash of the file's bytes as hex64; throws naming `path` when it cannot be read.
std::string file_checksum(const std::string& path);
std::string string_checksum(const std::string& text);

}  // namespace p2l
