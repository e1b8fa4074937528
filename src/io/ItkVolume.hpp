#pragma once
// Conversions between the shared Volume type and itk::Image (NIfTI I/O and the ITK filter
// steps). Heavy (ITK) header: include only from .cpp files.
#include <itkImage.h>

#include "io/Volume.hpp"

namespace p2l {

// An image on the grid `g` whose pixel buffer is not allocated yet.
template <class T>
typename itk::Image<T, 3>::Pointer itk_image_on(const Geometry& g) {
  using Image = itk::Image<T, 3>;
  auto img = Image::New();
  typename Image::SizeType size;
  typename Image::SpacingType spacing;
  typename Image::PointType origin;
  typename Image::DirectionType dir;
  for (unsigned d = 0; d < 3; ++d) {
    size[d] = g.size[d];
    spacing[d] = g.spacing[d];
    origin[d] = g.origin[d];
    for (unsigned c = 0; c < 3; ++c) dir(d, c) = g.direction[d * 3 + c];
  }
  img->SetRegions(typename Image::RegionType(size));
  img->SetSpacing(spacing);
  img->SetOrigin(origin);
  img->SetDirection(dir);
  return img;
}

// A copy of `v` as an ITK image.
template <class T>
typename itk::Image<T, 3>::Pointer to_itk(const Volume<T>& v) {
  auto img = itk_image_on<T>(v.geom);
  img->Allocate();
  std::copy(v.data.begin(), v.data.end(), img->GetBufferPointer());
  return img;
}

// Copies the voxels of `img` (same grid as `v`) back into `v`.
template <class T>
void copy_from_itk(const itk::Image<T, 3>* img, Volume<T>& v) {
  const T* p = img->GetBufferPointer();
  std::copy(p, p + v.data.size(), v.data.begin());
}

}  // namespace p2l
