#include "train/PackedSlices.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <torch/torch.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "dist/Communicator.hpp"
#include "dist/Rendezvous.hpp"
#include "store/Manifest.hpp"
#include "store/StoreReader.hpp"

namespace p2l {
namespace {

// The file: this header, first[subjects], depth[subjects] (int64), the slices (float32), the
// masks (uint8). Every part starts at a multiple of 8 bytes.
struct Header {
  char magic[8] = {'p', '2', 'l', 's', 'l', 'i', 'c', '2'};
  int64_t subjects = 0, total = 0, height = 0, width = 0;
  double spacing[2] = {1, 1};  // PackedSlices::spacing
};

size_t file_bytes(const Header& h) {
  const size_t voxels = size_t(h.total * h.height * h.width);
  return sizeof(Header) + 2 * sizeof(int64_t) * size_t(h.subjects) + voxels * sizeof(float) + voxels;
}

// One mapping of a file, shared by the tensors that view it; unmapped with the last of them.
struct Mapping {
  Mapping(void* d, size_t n) : data(d), bytes(n) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { munmap(data, bytes); }
  void* data;
  size_t bytes;
};

std::string errno_text() { return std::strerror(errno); }

void check_subject(const SubjectSlices& s, int64_t height, int64_t width) {
  if (s.height != height || s.width != width)
    throw std::runtime_error(s.id + ": slice size " + std::to_string(s.height) + "x" + std::to_string(s.width) +
                             " differs from " + std::to_string(height) + "x" + std::to_string(width) +
                             " of the other subjects");
  if (s.depth < 1 || s.image.size() != size_t(s.depth) * s.slice_size() || s.mask.size() != s.image.size())
    throw std::runtime_error(s.id + ": empty or inconsistent slices");
}

// Writes the split into a new unnamed file in `dir`, one subject in memory at a time, and returns
// its open descriptor (the caller closes it). O_EXCL: the file can never be given a name.
int write_unnamed_file(const StoreReader& store, const std::string& split, const std::string& dir) {
  const std::vector<std::string> ids = store.subjects(split);
  if (ids.empty()) throw std::runtime_error(store.dir() + ": split '" + split + "' has no subjects");
  // Depths from the manifest and the slice size from the first subject: the file is sized once
  // and filled in place, reading each subject once.
  const Manifest manifest = read_manifest(store.dir());
  const std::vector<ManifestSubject>& listed = manifest.splits.at(split);
  SubjectSlices current = store.load(split, ids[0]);
  Header h;
  h.subjects = int64_t(ids.size());
  h.height = current.height, h.width = current.width;
  h.spacing[0] = current.geom.spacing[0], h.spacing[1] = current.geom.spacing[1];
  std::vector<int64_t> first, depth;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (listed[i].id != ids[i]) throw std::logic_error("store subjects and manifest disagree");
    first.push_back(h.total);
    depth.push_back(listed[i].slices);
    h.total += listed[i].slices;
  }
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_EXCL, 0600);
  if (fd < 0) throw std::runtime_error(dir + ": cannot create the node's unnamed training-slices file: " + errno_text());
  try {
    const size_t bytes = file_bytes(h);
    // posix_fallocate reserves the space now: a full file system fails here, not on a page fault.
    if (const int err = posix_fallocate(fd, 0, off_t(bytes)); err != 0)
      throw std::runtime_error(dir + ": cannot reserve " + std::to_string(bytes >> 20) +
                               " MiB for the node's training slices: " + std::strerror(err));
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) throw std::runtime_error(dir + ": cannot map the node's training slices: " + errno_text());
    const Mapping map(p, bytes);
    char* at = static_cast<char*>(p);
    std::memcpy(at, &h, sizeof h);
    at += sizeof h;
    std::memcpy(at, first.data(), first.size() * sizeof(int64_t));
    at += first.size() * sizeof(int64_t);
    std::memcpy(at, depth.data(), depth.size() * sizeof(int64_t));
    at += depth.size() * sizeof(int64_t);
    float* slices = reinterpret_cast<float*>(at);
    uint8_t* masks = reinterpret_cast<uint8_t*>(slices + size_t(h.total * h.height * h.width));
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) current = store.load(split, ids[i]);
      check_subject(current, h.height, h.width);
      if (current.depth != depth[i])
        throw std::runtime_error(store.dir() + ": subject '" + ids[i] + "' of split '" + split + "' has " +
                                 std::to_string(current.depth) + " slices, the manifest says " + std::to_string(depth[i]));
      const size_t offset = size_t(first[i] * h.height * h.width);
      std::copy(current.image.begin(), current.image.end(), slices + offset);
      std::copy(current.mask.begin(), current.mask.end(), masks + offset);
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  return fd;
}

PackedSlices map_shared_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error(path + ": cannot open the node's training slices: " + errno_text());
  struct stat st {};
  ::fstat(fd, &st);
  void* p = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw std::runtime_error(path + ": cannot map: " + errno_text());
  auto map = std::make_shared<const Mapping>(p, size_t(st.st_size));
  Header h;
  std::memcpy(&h, p, sizeof h);
  if (std::memcmp(h.magic, Header{}.magic, sizeof h.magic) != 0 || file_bytes(h) != map->bytes)
    throw std::runtime_error(path + ": not a training-slices file of this version");
  const char* at = static_cast<const char*>(p) + sizeof h;
  PackedSlices out;
  out.first.assign(reinterpret_cast<const int64_t*>(at), reinterpret_cast<const int64_t*>(at) + h.subjects);
  at += h.subjects * sizeof(int64_t);
  out.depth.assign(reinterpret_cast<const int64_t*>(at), reinterpret_cast<const int64_t*>(at) + h.subjects);
  at += h.subjects * sizeof(int64_t);
  out.height = h.height, out.width = h.width;
  out.spacing = {h.spacing[0], h.spacing[1]};
  const std::vector<int64_t> shape = {h.total, h.height, h.width};
  float* slices = reinterpret_cast<float*>(const_cast<char*>(at));
  uint8_t* masks = reinterpret_cast<uint8_t*>(slices + size_t(h.total * h.height * h.width));
  // The tensors view read-only pages: the sampler only reads them (a write would fault).
  out.slices = torch::from_blob(slices, shape, [map](void*) {}, torch::kFloat32);
  out.masks = torch::from_blob(masks, shape, [map](void*) {}, torch::kUInt8);
  return out;
}

}  // namespace

PackedSlices pack_slices(const std::vector<SubjectSlices>& subjects) {
  if (subjects.empty()) throw std::runtime_error("PatchSampler: no training subjects");
  PackedSlices out;
  out.height = subjects[0].height, out.width = subjects[0].width;
  out.spacing = {subjects[0].geom.spacing[0], subjects[0].geom.spacing[1]};
  int64_t total = 0;
  for (const auto& s : subjects) {
    check_subject(s, out.height, out.width);
    out.first.push_back(total);
    out.depth.push_back(s.depth);
    total += s.depth;
  }
  out.slices = torch::empty({total, out.height, out.width}, torch::kFloat32);
  out.masks = torch::empty({total, out.height, out.width}, torch::kUInt8);
  for (size_t i = 0; i < subjects.size(); ++i) {
    const auto& s = subjects[i];
    const int64_t offset = out.first[i] * out.height * out.width;
    std::copy(s.image.begin(), s.image.end(), out.slices.data_ptr<float>() + offset);
    std::copy(s.mask.begin(), s.mask.end(), out.masks.data_ptr<uint8_t>() + offset);
  }
  return out;
}

PackedSlices node_shared_slices(Communicator& comm, const StoreReader& store, const std::string& split,
                                const std::string& dir, std::string& warning) {
  const RankInfo& who = comm.who();
  const bool writer = who.local_rank == 0;
  std::string error;
  int fd = -1;
  // The writer's descriptor is closed on every way out: once every rank has opened the file,
  // or on a fall-back or an error.
  std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) {
    if (*f >= 0) ::close(*f);
  });
  if (writer) {
    try {
      fd = write_unnamed_file(store, split, dir);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  // Every rank learns every node's writers and where its file is open: [any failure, then per
  // node: writers, pid, descriptor], summed over the ranks (exact in float64).
  auto table = torch::zeros({1 + 3 * who.nodes}, torch::kFloat64);
  {
    auto t = table.accessor<double, 1>();
    t[0] = error.empty() ? 0 : 1;
    if (writer) {
      t[1 + 3 * who.node] = 1;
      if (error.empty()) t[2 + 3 * who.node] = double(::getpid()), t[3 + 3 * who.node] = double(fd);
    }
  }
  comm.allreduce_sum(table);
  const auto t = table.accessor<double, 1>();
  auto fall_back = [&](const std::string& why) {
    closer.reset();  // the node's file is freed before the private copy is loaded
    if (!why.empty()) warning = why + "; every rank keeps its own copy of the training split";
    return pack_slices(store.load_split(split));
  };
  if (t[0] > 0) return fall_back(error);
  const std::string path = "/proc/" + std::to_string(long(t[2 + 3 * who.node])) + "/fd/" +
                           std::to_string(long(t[3 + 3 * who.node]));
  const std::string file = dir + " (an unnamed file, opened as " + path + ")";
  // The same test on every rank, so they all stop together.
  for (int n = 0; n < who.nodes; ++n)
    if (t[1 + 3 * n] != 1) {
      throw std::runtime_error("node " + std::to_string(n) + " of " + std::to_string(who.nodes) + " has " +
                               std::to_string(long(t[1 + 3 * n])) + " writers of its training slices" +
                               (n == who.node ? " in " + file : "") + "; exactly one rank per node may write them");
    }
  std::string open_error;
  PackedSlices out;
  try {
    out = map_shared_file(path);
  } catch (const std::exception& e) {
    open_error = e.what();
  }
  auto failed = torch::full({1}, open_error.empty() ? 0.0 : 1.0, torch::kFloat64);
  // Also the writers' wait: each keeps its descriptor open until every rank of its node has opened
  // the file, whose last mapping then keeps it alive.
  comm.allreduce_sum(failed);
  if (failed[0].item<double>() > 0) return fall_back(open_error);
  out.shared_file = file;
  out.wrote_shared_file = writer;
  return out;
}

}  // namespace p2l
