#include "store/ShardFile.hpp"

#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "io/AtomicFile.hpp"

namespace p2l {
namespace {

// Owns one HDF5 identifier.
class Handle {
 public:
  Handle(hid_t id, herr_t (*closer)(hid_t)) : id_(id), close_(closer) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  operator hid_t() const { return id_; }
  bool ok() const { return id_ >= 0; }
  // Closes now and reports the result (a write that HDF5 buffered fails here on a full disk).
  herr_t close() {
    const herr_t st = id_ >= 0 ? close_(id_) : 0;
    id_ = -1;
    return st;
  }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// HDF5 prints its own error stacks by default; we report errors as exceptions instead.
void quiet_hdf5() {
  static bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

[[noreturn]] void fail(const std::string& where, const std::string& why) {
  throw std::runtime_error(where + ": " + why);
}

// The innermost description on HDF5's error stack of the call that just failed, which names
// the system error when there is one ("... errno = 28, error message = 'No space left on
// device'"); "" when the stack is empty.
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        auto& r = *static_cast<std::string*>(out);
        const std::string desc = e->desc ? e->desc : "";
        if (r.empty() || desc.find("errno") != std::string::npos) r = desc;
        return 0;
      },
      &reason);
  return reason;
}

// A failed HDF5 call: `what` and HDF5's reason.
[[noreturn]] void fail_hdf5(const std::string& where, const std::string& what) {
  const std::string reason = hdf5_reason();
  fail(where, "HDF5 error: " + what + (reason.empty() ? "" : " (" + reason + ")"));
}

void check(herr_t status, const std::string& where, const std::string& what) {
  if (status < 0) fail_hdf5(where, what);
}

Handle string_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void write_string_attr(hid_t obj, const std::string& name, const std::string& value,
                       const std::string& where) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) fail_hdf5(where, "cannot create attribute " + name);
  const char* p = value.c_str();
  check(H5Awrite(attr, type, &p), where, "writing attribute " + name);
}

template <class T>
void write_numeric_attr(hid_t obj, const std::string& name, hid_t type, const T* v, hsize_t n,
                        const std::string& where) {
  Handle space(n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle attr(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) fail_hdf5(where, "cannot create attribute " + name);
  check(H5Awrite(attr, type, v), where, "writing attribute " + name);
}

std::string read_string_attr(hid_t obj, const std::string& name, const std::string& where) {
  Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) fail(where, "missing attribute " + name);
  Handle type = string_type();
  char* p = nullptr;
  check(H5Aread(attr, type, &p), where, "reading attribute " + name);
  std::string s = p ? p : "";
  H5free_memory(p);
  return s;
}

// Reads exactly `n` values (n == 0: a scalar).
template <class T>
void read_numeric_attr(hid_t obj, const std::string& name, hid_t type, T* v, hssize_t n,
                       const std::string& where) {
  Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) fail(where, "missing attribute " + name);
  Handle space(H5Aget_space(attr), H5Sclose);
  if (H5Sget_simple_extent_npoints(space) != std::max<hssize_t>(n, 1))
    fail(where, "attribute " + name + " has the wrong length");
  check(H5Aread(attr, type, v), where, "reading attribute " + name);
}

std::string group_path(const std::string& split, const std::string& id) {
  return "/" + split + "/" + id;
}

void check_name(const std::string& what, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw std::runtime_error(what + " '" + name + "': not usable as an HDF5 group name");
}

template <class T>
void write_dataset(hid_t group, const char* name, hid_t type, const std::vector<T>& data,
                   const SubjectSlices& s, int level, const std::string& where) {
  hsize_t dims[3] = {hsize_t(s.depth), hsize_t(s.height), hsize_t(s.width)};
  hsize_t chunk[3] = {1, hsize_t(s.height), hsize_t(s.width)};
  Handle space(H5Screate_simple(3, dims, nullptr), H5Sclose);
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (s.depth > 0 && s.height > 0 && s.width > 0) {
    check(H5Pset_chunk(plist, 3, chunk), where, "chunk layout");
    if (level > 0) {
      check(H5Pset_shuffle(plist), where, "shuffle filter");
      check(H5Pset_deflate(plist, level), where, "gzip filter");
    }
    // A checksum of every stored chunk, verified by HDF5 on each read: corrupted bytes fail
    // the read instead of feeding garbage to training (also without compression).
    check(H5Pset_fletcher32(plist), where, "fletcher32 checksum filter");
  }
  Handle ds(H5Dcreate2(group, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail_hdf5(where, std::string("cannot create dataset ") + name);
  check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), where,
        std::string("writing ") + name);
  check(ds.close(), where, std::string("writing ") + name);
}

template <class T>
std::vector<T> read_dataset(hid_t group, const char* name, hid_t type, const SubjectSlices& s,
                            const std::string& where) {
  Handle ds(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) fail(where, std::string("missing dataset ") + name);
  Handle space(H5Dget_space(ds), H5Sclose);
  hsize_t dims[3] = {0, 0, 0};
  if (H5Sget_simple_extent_ndims(space) != 3) fail(where, std::string(name) + " is not 3-D");
  H5Sget_simple_extent_dims(space, dims, nullptr);
  if (dims[0] != hsize_t(s.depth) || dims[1] != hsize_t(s.height) || dims[2] != hsize_t(s.width))
    fail(where, std::string(name) + " shape disagrees with the group's size attribute");
  std::vector<T> out(size_t(s.depth) * s.height * s.width);
  if (H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    fail(where, std::string("corrupt data in '") + name +
                    "' (checksum or decompression failed): corrupt shard; rerun p2l-preprocess with the same "
                    "config, which checks every reused subject and preprocesses this one again");
  return out;
}

Handle open_file(const std::string& path) {
  quiet_hdf5();
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok()) fail(path, "cannot open HDF5 shard (missing or corrupt)");
  return f;
}

Handle open_group(hid_t file, const std::string& path, const std::string& split,
                  const std::string& id) {
  std::string g = group_path(split, id);
  if (H5Lexists(file, ("/" + split).c_str(), H5P_DEFAULT) <= 0 ||
      H5Lexists(file, g.c_str(), H5P_DEFAULT) <= 0)
    fail(path, "no subject group " + g);
  Handle grp(H5Gopen2(file, g.c_str(), H5P_DEFAULT), H5Gclose);
  if (!grp.ok()) fail(path, "cannot open group " + g);
  return grp;
}

SubjectProvenance read_provenance(hid_t g, const std::string& where) {
  SubjectProvenance p;
  p.image_path = read_string_attr(g, "source_image", where);
  p.mask_path = read_string_attr(g, "source_mask", where);
  p.seg_path = read_string_attr(g, "source_seg", where);
  p.image_checksum = read_string_attr(g, "checksum_image", where);
  p.mask_checksum = read_string_attr(g, "checksum_mask", where);
  p.seg_checksum = read_string_attr(g, "checksum_seg", where);
  p.config_hash = read_string_attr(g, "config_hash", where);
  read_numeric_attr(g, "crop_offset", H5T_NATIVE_LONG, p.crop_offset.data(), 3, where);
  return p;
}

SubjectSlices read_subject(hid_t file, const std::string& path, const std::string& split,
                           const std::string& id) {
  Handle g = open_group(file, path, split, id);
  std::string where = path + ":" + group_path(split, id);
  SubjectSlices s;
  s.id = read_string_attr(g, "id", where);
  s.split = read_string_attr(g, "split", where);
  read_numeric_attr(g, "label", H5T_NATIVE_INT, &s.label, 0, where);
  read_numeric_attr(g, "age", H5T_NATIVE_DOUBLE, &s.age, 0, where);
  long size[3];
  read_numeric_attr(g, "size", H5T_NATIVE_LONG, size, 3, where);
  for (int d = 0; d < 3; ++d) s.geom.size[d] = size_t(size[d]);
  read_numeric_attr(g, "spacing", H5T_NATIVE_DOUBLE, s.geom.spacing.data(), 3, where);
  read_numeric_attr(g, "origin", H5T_NATIVE_DOUBLE, s.geom.origin.data(), 3, where);
  read_numeric_attr(g, "direction", H5T_NATIVE_DOUBLE, s.geom.direction.data(), 9, where);
  s.height = int(size[0]);
  s.width = int(size[1]);
  s.depth = int(size[2]);
  if (H5Aexists(g, "source_spacing") > 0) {  // the input grid; a group without it leaves it unknown
    long source[3];
    read_numeric_attr(g, "source_size", H5T_NATIVE_LONG, source, 3, where);
    for (int d = 0; d < 3; ++d) s.source_geom.size[d] = size_t(source[d]);
    read_numeric_attr(g, "source_spacing", H5T_NATIVE_DOUBLE, s.source_geom.spacing.data(), 3, where);
    read_numeric_attr(g, "source_origin", H5T_NATIVE_DOUBLE, s.source_geom.origin.data(), 3, where);
    read_numeric_attr(g, "source_direction", H5T_NATIVE_DOUBLE, s.source_geom.direction.data(), 9, where);
  }
  int slice_count = 0;
  read_numeric_attr(g, "slice_count", H5T_NATIVE_INT, &slice_count, 0, where);
  if (slice_count != s.depth) fail(where, "slice_count disagrees with size");
  s.image = read_dataset<float>(g, "slices", H5T_NATIVE_FLOAT, s, where);
  s.mask = read_dataset<uint8_t>(g, "mask", H5T_NATIVE_UINT8, s, where);
  if (H5Lexists(g, "seg", H5P_DEFAULT) > 0)
    s.seg = read_dataset<uint8_t>(g, "seg", H5T_NATIVE_UINT8, s, where);
  return s;
}

}  // namespace

bool SubjectProvenance::same_inputs(const SubjectProvenance& o) const {
  return image_checksum == o.image_checksum && mask_checksum == o.mask_checksum &&
         seg_checksum == o.seg_checksum && config_hash == o.config_hash &&
         image_path == o.image_path && mask_path == o.mask_path && seg_path == o.seg_path;
}

ShardWriter::ShardWriter(const std::string& path, int level)
    : path_(path), tmp_(temp_path_for(path)), level_(level) {
  quiet_hdf5();
  make_parent_dirs(path);
  file_ = H5Fcreate(tmp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  try {
    if (file_ < 0) fail_hdf5(path, "cannot create HDF5 file " + tmp_);
    write_string_attr(file_, "format", "p2l-store", path_);
    int version = 1;
    write_numeric_attr(file_, "format_version", H5T_NATIVE_INT, &version, 0, path_);
  } catch (...) {
    // The destructor does not run for a constructor that throws: nothing may stay behind.
    if (file_ >= 0) H5Fclose(file_);
    file_ = -1;
    std::remove(tmp_.c_str());
    throw;
  }
}

ShardWriter::~ShardWriter() {
  if (file_ >= 0) {
    H5Fclose(file_);
    std::remove(tmp_.c_str());
  }
}

void ShardWriter::set_root_attribute(const std::string& name, const std::string& value) {
  write_string_attr(file_, name, value, path_);
}

void ShardWriter::write(const SubjectSlices& s, const SubjectProvenance& p) {
  try {
    write_group(s, p);
  } catch (...) {
    // A half-written group must not look like a stored subject to a later resume.
    std::string g = group_path(s.split, s.id);
    if (H5Lexists(file_, ("/" + s.split).c_str(), H5P_DEFAULT) > 0 &&
        H5Lexists(file_, g.c_str(), H5P_DEFAULT) > 0)
      H5Ldelete(file_, g.c_str(), H5P_DEFAULT);
    throw;
  }
  ++count_;
}

void ShardWriter::write_group(const SubjectSlices& s, const SubjectProvenance& p) {
  check_name("split", s.split);
  check_name("subject id", s.id);
  std::string where = path_ + ":" + group_path(s.split, s.id);
  const size_t n = size_t(s.depth) * s.height * s.width;
  if (s.image.size() != n || s.mask.size() != n || (s.has_seg() && s.seg.size() != n))
    fail(where, "array sizes disagree with depth x height x width");
  std::string split_group = "/" + s.split;
  if (H5Lexists(file_, split_group.c_str(), H5P_DEFAULT) <= 0) {
    Handle g(H5Gcreate2(file_, split_group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!g.ok()) fail(where, "cannot create split group");
  }
  Handle g(H5Gcreate2(file_, group_path(s.split, s.id).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           H5Gclose);
  if (!g.ok()) fail(where, "cannot create subject group (duplicate id in the split?)");
  write_string_attr(g, "id", s.id, where);
  write_string_attr(g, "split", s.split, where);
  write_numeric_attr(g, "label", H5T_NATIVE_INT, &s.label, 0, where);
  write_numeric_attr(g, "age", H5T_NATIVE_DOUBLE, &s.age, 0, where);
  write_numeric_attr(g, "slice_count", H5T_NATIVE_INT, &s.depth, 0, where);
  long size[3] = {s.height, s.width, s.depth};
  write_numeric_attr(g, "size", H5T_NATIVE_LONG, size, 3, where);
  write_numeric_attr(g, "spacing", H5T_NATIVE_DOUBLE, s.geom.spacing.data(), 3, where);
  write_numeric_attr(g, "origin", H5T_NATIVE_DOUBLE, s.geom.origin.data(), 3, where);
  write_numeric_attr(g, "direction", H5T_NATIVE_DOUBLE, s.geom.direction.data(), 9, where);
  write_string_attr(g, "source_image", p.image_path, where);
  write_string_attr(g, "source_mask", p.mask_path, where);
  write_string_attr(g, "source_seg", p.seg_path, where);
  write_string_attr(g, "checksum_image", p.image_checksum, where);
  write_string_attr(g, "checksum_mask", p.mask_checksum, where);
  write_string_attr(g, "checksum_seg", p.seg_checksum, where);
  write_string_attr(g, "config_hash", p.config_hash, where);
  long source[3] = {long(s.source_geom.size[0]), long(s.source_geom.size[1]), long(s.source_geom.size[2])};
  write_numeric_attr(g, "source_size", H5T_NATIVE_LONG, source, 3, where);
  write_numeric_attr(g, "crop_offset", H5T_NATIVE_LONG, p.crop_offset.data(), 3, where);
  if (s.source_geom.voxels() > 0) {
    write_numeric_attr(g, "source_spacing", H5T_NATIVE_DOUBLE, s.source_geom.spacing.data(), 3, where);
    write_numeric_attr(g, "source_origin", H5T_NATIVE_DOUBLE, s.source_geom.origin.data(), 3, where);
    write_numeric_attr(g, "source_direction", H5T_NATIVE_DOUBLE, s.source_geom.direction.data(), 9, where);
  }
  write_dataset(g, "slices", H5T_NATIVE_FLOAT, s.image, s, level_, where);
  write_dataset(g, "mask", H5T_NATIVE_UINT8, s.mask, s, level_, where);
  if (s.has_seg()) write_dataset(g, "seg", H5T_NATIVE_UINT8, s.seg, s, level_, where);
}

void ShardWriter::commit() {
  int n = count_;
  write_numeric_attr(file_, "subject_count", H5T_NATIVE_INT, &n, 0, path_);
  herr_t st = H5Fclose(file_);
  file_ = -1;
  if (st < 0) {
    const std::string reason = hdf5_reason();
    std::remove(tmp_.c_str());
    fail(path_, "closing the HDF5 file failed" + (reason.empty() ? "" : " (" + reason + ")"));
  }
  commit_file(tmp_, path_);
}

std::vector<ShardEntry> list_shard(const std::string& path) {
  Handle f = open_file(path);
  std::vector<ShardEntry> out;
  auto names = [&](hid_t g, const std::string& where) {
    std::vector<std::string> v;
    H5G_info_t info;
    check(H5Gget_info(g, &info), where, "listing group");
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (len < 0) fail(where, "listing group");
      std::string name(size_t(len), '\0');
      H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), size_t(len) + 1, H5P_DEFAULT);
      v.push_back(name);
    }
    return v;
  };
  for (const auto& split : names(f, path)) {
    Handle sg(H5Gopen2(f, ("/" + split).c_str(), H5P_DEFAULT), H5Gclose);
    for (const auto& id : names(sg, path + ":/" + split)) {
      Handle g = open_group(f, path, split, id);
      std::string where = path + ":" + group_path(split, id);
      ShardEntry e;
      e.split = split;
      e.id = id;
      read_numeric_attr(g, "slice_count", H5T_NATIVE_INT, &e.slices, 0, where);
      e.provenance = read_provenance(g, where);
      out.push_back(std::move(e));
    }
  }
  return out;
}

SubjectSlices read_shard_subject(const std::string& path, const std::string& split,
                                 const std::string& id) {
  Handle f = open_file(path);
  return read_subject(f, path, split, id);
}

SubjectProvenance read_shard_provenance(const std::string& path, const std::string& split,
                                        const std::string& id) {
  Handle f = open_file(path);
  Handle g = open_group(f, path, split, id);
  return read_provenance(g, path + ":" + group_path(split, id));
}

std::vector<SubjectSlices> read_shard_subjects(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& keys) {
  Handle f = open_file(path);
  std::vector<SubjectSlices> out;
  out.reserve(keys.size());
  for (const auto& [split, id] : keys) out.push_back(read_subject(f, path, split, id));
  return out;
}

}  // namespace p2l
