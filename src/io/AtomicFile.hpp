#pragma once
// Atomic writes: content goes to a temporary file in the same folder, which is then renamed,
// so a reader never sees a half-written file and an interrupted run leaves no partial output.
#include <optional>
#include <functional>
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
// Removes what a killed writer left: the temporaries of temp_path_for and
// temp_path_with_extension under `dir` (and its subfolders when `recursive`); returns how many.
// Call it before this job's own writers start.
int remove_stale_temporaries(const std::string& dir, bool recursive);
void write_file_atomic(const std::string& path, const std::string& content);
// Receives a file's bytes in pieces; returns n (it never fails, see write_file_atomic_streamed).
using ByteSink = std::function<size_t(const void* data, size_t n)>;
// Writes `path` atomically from `produce`, which hands its bytes to the sink: when the disk
// is full or any write, fsync or close fails, the temporary is removed, `path` keeps its old
// content, and the error says "<path>: cannot write <what>: <reason>" (e.g. "No space left on
// device"). The sink swallows the failure so a producer that cannot handle one (LibTorch's
// archive writer terminates on a throwing sink) finishes first.
void write_file_atomic_streamed(const std::string& path, const std::string& what,
                                const std::function<void(const ByteSink&)>& produce);
// The whole file (bytes as stored); throws "<path>: cannot open <what>" when it cannot be read.
std::string read_file(const std::string& path, const std::string& what);
// The whole file, or nothing when it cannot be opened (a stamp or an optional file not written
// yet); for callers with their own error or default.
std::optional<std::string> read_file_if_present(const std::string& path);
// Creates the parent folders of `path`.
void make_parent_dirs(const std::string& path);

}  // namespace p2l
