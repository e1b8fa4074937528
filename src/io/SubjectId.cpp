#include "io/SubjectId.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace p2l {
namespace {

bool ends_with_nocase(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         std::equal(suffix.begin(), suffix.end(), s.end() - long(suffix.size()),
                    [](char lower, char c) { return std::tolower(static_cast<unsigned char>(c)) == lower; });
}

// Removes the first of `suffixes` that `s` ends with (lower-case suffixes, any-case match).
void strip_one(std::string& s, std::initializer_list<const char*> suffixes) {
  for (const std::string suffix : suffixes)
    if (ends_with_nocase(s, suffix)) {
      s.resize(s.size() - suffix.size());
      return;
    }
}

}  // namespace

std::string subject_id_from_img_name(const std::string& img_name) {
  std::string id = img_name;
  strip_one(id, {".nii.gz", ".nii"});
  strip_one(id, {"_t1", "_t2"});
  if (id.empty()) throw std::runtime_error("img_name '" + img_name + "' gives an empty subject id");
  if (id.find('/') != std::string::npos)
    throw std::runtime_error("img_name '" + img_name + "' holds a '/'; subject ids are file names");
  return id;
}

}  // namespace p2l
