#include "io/AtomicFile.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace p2l {

std::string temp_path_for(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

std::string temp_path_with_extension(const std::string& path, const std::string& extension) {
  static std::atomic<unsigned long> serial{0};
  const auto parent = std::filesystem::path(path).parent_path();
  const std::string name = ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial++) + extension;
  return (parent / name).string();
}

void make_parent_dirs(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

void commit_file(const std::string& tmp, const std::string& path) {
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(path + ": cannot rename " + tmp + ": " + why);
  }
}

void write_file_atomic(const std::string& path, const std::string& content) {
  make_parent_dirs(path);
  std::string tmp = temp_path_for(path);
  bool written = false;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot write " + tmp);
    out << content;
    written = bool(out.flush());
  }
  if (!written) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(path + ": write failed");
  }
  commit_file(tmp, path);
}

std::optional<std::string> read_file_if_present(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string read_file(const std::string& path, const std::string& what) {
  if (auto text = read_file_if_present(path)) return std::move(*text);
  throw std::runtime_error(path + ": cannot open " + what);
}

}  // namespace p2l
