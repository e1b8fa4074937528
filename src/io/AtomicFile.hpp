#pragma once
// Atomic writes: content goes to a temporary file in the same folder, which is then renamed,
// so a reader never sees a half-written file and an interrupted run leaves no partial output.
#include <optional>
#include <string>

namespace p2l {

// A temporary sibling name for `path` (unique per process).
std::string temp_path_for(const std::string& path);
// A temporary sibling name for `path` (unique per process and call) that ends in `extension`
// and holds no other part of `path`'s name: writers that derive file names from the extension
// (ITK's NIfTI writer cuts a name at its first ".nii") write exactly this file, whatever `path`
// is called.
std::string temp_path_with_extension(const std::string& path, const std::string& extension);
// fsyncs then renames `tmp` onto `path`; when the rename fails, `tmp` is removed and the error
// names both.
void commit_file(const std::string& tmp, const std::string& path);
void write_file_atomic(const std::string& path, const std::string& content);
// The whole file (bytes as stored); throws "<path>: cannot open <what>" when it cannot be read.
std::string read_file(const std::string& path, const std::string& what);
// The whole file, or nothing when it cannot be opened (a stamp or an optional file not written
// yet); for callers with their own error or default.
std::optional<std::string> read_file_if_present(const std::string& path);
// Creates the parent folders of `path`.
void make_parent_dirs(const std::string& path);

}  // namespace p2l
