#include "io/AtomicFile.hpp"

#include <cctype>

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

namespace {

bool digits(const std::string& s, size_t from, size_t to) {
  if (from >= to) return false;
  for (size_t i = from; i < to; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// "<name>.tmp.<pid>" or ".tmp.<pid>.<serial><extension>".
bool is_temporary(const std::string& name) {
  if (name.rfind(".tmp.", 0) == 0) {
    const size_t dot = name.find('.', 5);
    return dot != std::string::npos && digits(name, 5, dot);
  }
  const size_t at = name.rfind(".tmp.");
  return at != std::string::npos && at > 0 && digits(name, at + 5, name.size());
}

}  // namespace

int remove_stale_temporaries(const std::string& dir, bool recursive) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  int removed = 0;
  auto visit = [&](const fs::directory_entry& e) {
    if (e.is_regular_file(ec) && is_temporary(e.path().filename().string()) && fs::remove(e.path(), ec)) ++removed;
  };
  if (recursive)
    for (const auto& e : fs::recursive_directory_iterator(dir, ec)) visit(e);
  else
    for (const auto& e : fs::directory_iterator(dir, ec)) visit(e);
  return removed;
}

void make_parent_dirs(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

void commit_file(const std::string& tmp, const std::string& path) {
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    const bool synced = ::fsync(fd) == 0;
    const std::string why = synced ? "" : std::strerror(errno);
    ::close(fd);
    if (!synced) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw std::runtime_error(path + ": cannot write " + tmp + ": " + why);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(path + ": cannot rename " + tmp + ": " + why);
  }
}

void write_file_atomic(const std::string& path, const std::string& content) {
  write_file_atomic_streamed(path, "the file", [&](const ByteSink& sink) { sink(content.data(), content.size()); });
}

void write_file_atomic_streamed(const std::string& path, const std::string& what,
                                const std::function<void(const ByteSink&)>& produce) {
  make_parent_dirs(path);
  const std::string tmp = temp_path_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error(path + ": cannot write " + what + ": " + tmp + ": " + std::strerror(errno));
  int error = 0;  // the first failure's errno
  const ByteSink sink = [&](const void* data, size_t n) -> size_t {
    const char* p = static_cast<const char*>(data);
    for (size_t left = n; left > 0 && error == 0;) {
      const ssize_t w = ::write(fd, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        error = w < 0 ? errno : ENOSPC;
        break;
      }
      p += w, left -= size_t(w);
    }
    return n;
  };
  try {
    produce(sink);
  } catch (...) {
    ::close(fd);
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(path + ": cannot write " + what + ": " + std::strerror(error));
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
