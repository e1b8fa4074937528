#include "io/NiftiStreamCheck.hpp"

#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace p2l {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error(path + ": " + why);
}

template <class T>
T get(const unsigned char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap)
    for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

std::string position(uint64_t idx, const int64_t* dim) {
  return "(" + std::to_string(idx % dim[1]) + ", " + std::to_string(idx / dim[1] % dim[2]) + ", " +
         std::to_string(idx / (dim[1] * dim[2])) + ")";
}

}  // namespace

void check_nifti_stream(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) fail(path, "cannot open");
  gzbuffer(f.get(), 1 << 20);
  unsigned char hdr[348];
  int got = gzread(f.get(), hdr, sizeof hdr);
  if (got != int(sizeof hdr)) fail(path, "truncated or unreadable NIfTI header");
  int32_t sizeof_hdr = get<int32_t>(hdr, false);
  bool swap = false;
  if (sizeof_hdr != 348) {
    swap = true;
    if (get<int32_t>(hdr, true) != 348) fail(path, "not a NIfTI-1 file (bad header size)");
  }
  int64_t dim[8];
  for (int i = 0; i < 8; ++i) dim[i] = get<int16_t>(hdr + 40 + 2 * i, swap);
  if (dim[0] < 1 || dim[0] > 7) fail(path, "invalid number of dimensions " + std::to_string(dim[0]));
  for (int i = dim[0] + 1; i < 8; ++i) dim[i] = 1;
  for (int i = 1; i <= 3; ++i)
    if (dim[i] <= 0) fail(path, "empty image: dimension " + std::to_string(i) + " has size " + std::to_string(dim[i]));
  int16_t datatype = get<int16_t>(hdr + 70, swap);
  int16_t bitpix = get<int16_t>(hdr + 72, swap);
  float vox_offset = get<float>(hdr + 108, swap);
  uint64_t voxels = 1;
  for (int i = 1; i <= 7; ++i) voxels *= uint64_t(dim[i]);
  const uint64_t data_bytes = voxels * uint64_t(bitpix / 8);
  // Skip to the voxel data (header extensions may sit between).
  int64_t skip = int64_t(vox_offset) - 348;
  std::vector<unsigned char> buf(1 << 20);
  while (skip > 0) {
    int n = gzread(f.get(), buf.data(), unsigned(std::min<int64_t>(skip, buf.size())));
    if (n <= 0) fail(path, "truncated before the voxel data");
    skip -= n;
  }
  const bool is_f32 = datatype == 16, is_f64 = datatype == 64;
  const int width = bitpix / 8;
  uint64_t read = 0;
  while (read < data_bytes) {
    int n = gzread(f.get(), buf.data(), unsigned(std::min<uint64_t>(buf.size(), data_bytes - read)));
    if (n < 0) {
      int err = 0;
      const char* msg = gzerror(f.get(), &err);
      fail(path, std::string("corrupt compressed data: ") + (msg ? msg : "zlib error"));
    }
    if (n == 0) break;
    if (is_f32 || is_f64) {
      // gzread fills the whole request before end of data and the buffer size is a multiple of
      // 8, so every chunk starts on a voxel boundary.
      for (int off = 0; off + width <= n; off += width) {
        double v = is_f32 ? double(get<float>(buf.data() + off, swap)) : get<double>(buf.data() + off, swap);
        if (!std::isfinite(v)) {
          uint64_t idx = (read + off) / width;
          fail(path, std::string(std::isnan(v) ? "NaN" : "Inf") + " voxel at index " + position(idx, dim));
        }
      }
    }
    read += uint64_t(n);
  }
  if (read < data_bytes)
    fail(path, "truncated: " + std::to_string(read) + " of " + std::to_string(data_bytes) +
                   " bytes of voxel data");
  // Drain the stream so a corrupt gzip trailer (CRC) is detected too.
  int n;
  while ((n = gzread(f.get(), buf.data(), unsigned(buf.size()))) > 0) {
  }
  int err = 0;
  const char* msg = gzerror(f.get(), &err);
  if (n < 0 || (err != Z_OK && err != Z_BUF_ERROR))
    fail(path, std::string("corrupt compressed data: ") + (msg ? msg : "zlib error"));
}

}  // namespace p2l
