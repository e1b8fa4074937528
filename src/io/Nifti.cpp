#include "io/Nifti.hpp"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkImageIOBase.h>
#include <itkImageIOFactory.h>
#include <itkNiftiImageIO.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "io/AtomicFile.hpp"
#include "io/ItkVolume.hpp"
#include "io/NiftiStreamCheck.hpp"

namespace p2l {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error(path + ": " + why);
}

itk::ImageIOBase::Pointer open_header(const std::string& path) {
  if (!std::filesystem::exists(path)) fail(path, "file not found");
  if (std::filesystem::is_directory(path)) fail(path, "is a directory, not a NIfTI file");
  auto io = itk::NiftiImageIO::New();
  if (!io->CanReadFile(path.c_str())) fail(path, "not a readable NIfTI file (corrupt or wrong format)");
  io->SetFileName(path);
  try {
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    fail(path, std::string("cannot read NIfTI header: ") + e.GetDescription());
  }
  unsigned dims = io->GetNumberOfDimensions();
  // A trailing singleton dimension (x*y*z*1) is still a 3-D volume.
  for (unsigned d = 3; d < dims; ++d)
    if (io->GetDimensions(d) > 1)
      fail(path, std::to_string(dims) + "-D image with " + std::to_string(io->GetDimensions(d)) +
                     " volumes; expected a single 3-D volume");
  if (dims < 3) fail(path, std::to_string(dims) + "-D image; expected 3-D");
  if (io->GetNumberOfComponents() != 1)
    fail(path, "has " + std::to_string(io->GetNumberOfComponents()) + " components per voxel; expected scalar");
  for (unsigned d = 0; d < 3; ++d)
    if (io->GetDimensions(d) == 0) fail(path, "empty image (a dimension is 0)");
  return io;
}

Geometry geometry_of(const itk::ImageIOBase& io) {
  Geometry g;
  for (unsigned d = 0; d < 3; ++d) {
    g.size[d] = io.GetDimensions(d);
    g.spacing[d] = io.GetSpacing(d);
    g.origin[d] = io.GetOrigin(d);
    auto axis = io.GetDirection(d);  // column d of the direction matrix
    for (unsigned r = 0; r < 3; ++r) g.direction[r * 3 + d] = axis[r];
  }
  return g;
}

// Voxels as float on the grid `g` already read from the header (any stored type converts).
FloatVolume read_voxels(const std::string& path, const Geometry& g) {
  auto reader = itk::ImageFileReader<itk::Image<float, 3>>::New();
  reader->SetImageIO(itk::NiftiImageIO::New());
  reader->SetFileName(path);
  try {
    reader->Update();
  } catch (const itk::ExceptionObject& e) {
    fail(path, std::string("cannot read voxel data (corrupt or truncated file): ") + e.GetDescription());
  }
  FloatVolume v;
  v.geom = g;
  const float* buf = reader->GetOutput()->GetBufferPointer();
  v.data.assign(buf, buf + g.voxels());
  return v;
}

template <class T>
void write(const std::string& path, const Volume<T>& v) {
  using ImageT = itk::Image<T, 3>;
  if (v.data.size() != v.geom.voxels()) fail(path, "volume data does not match its size");
  auto img = itk_image_on<T>(v.geom);
  // Wrap the volume's buffer instead of copying it.
  img->GetPixelContainer()->SetImportPointer(const_cast<T*>(v.data.data()), v.data.size(), false);
  make_parent_dirs(path);
  const std::string name = std::filesystem::path(path).filename().string();
  const bool compressed = name.size() > 7 && name.compare(name.size() - 7, 7, ".nii.gz") == 0;
  const std::string tmp = temp_path_with_extension(path, compressed ? ".nii.gz" : ".nii");
  auto writer = itk::ImageFileWriter<ImageT>::New();
  writer->SetImageIO(itk::NiftiImageIO::New());
  writer->SetFileName(tmp);
  writer->SetInput(img);
  writer->SetUseCompression(compressed);
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    std::filesystem::remove(tmp);
    fail(path, std::string("cannot write NIfTI: ") + e.GetDescription());
  }
  commit_file(tmp, path);
}

}  // namespace

FloatVolume read_nifti_float(const std::string& path) {
  // The header check first: a missing file, wrong format or 4-D image gets a clearer message
  // than the raw stream check would give.
  const Geometry g = geometry_of(*open_header(path));
  check_nifti_stream(path);
  return read_voxels(path, g);
}

LabelVolume read_nifti_label(const std::string& path) {
  // Read as float so any stored type (uint8, int16, float 0/1 masks) converts safely.
  FloatVolume f = read_nifti_float(path);
  LabelVolume v(f.geom);
  for (size_t i = 0; i < f.data.size(); ++i) v.data[i] = f.data[i] != 0.0f;
  return v;
}

Geometry read_nifti_geometry(const std::string& path) { return geometry_of(*open_header(path)); }

void write_nifti(const std::string& path, const FloatVolume& v) { write(path, v); }
void write_nifti(const std::string& path, const LabelVolume& v) { write(path, v); }

}  // namespace p2l
