#include "io/GridResampling.hpp"

#include <itkIdentityTransform.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include "io/ItkVolume.hpp"

namespace p2l {
namespace {

template <class T, class Interpolator>
Volume<T> resample(const Volume<T>& v, const Geometry& target) {
  using Image = itk::Image<T, 3>;
  auto src = to_itk(v);
  auto grid = itk_image_on<T>(target);
  auto f = itk::ResampleImageFilter<Image, Image>::New();
  f->SetInput(src);
  f->SetOutputParametersFromImage(grid);
  f->SetTransform(itk::IdentityTransform<double, 3>::New());
  f->SetInterpolator(Interpolator::New());
  f->SetDefaultPixelValue(0);
  f->Update();
  Volume<T> out(target);
  copy_from_itk(f->GetOutput(), out);
  return out;
}

}  // namespace

FloatVolume resample_linear(const FloatVolume& v, const Geometry& target) {
  return resample<float, itk::LinearInterpolateImageFunction<itk::Image<float, 3>, double>>(v, target);
}

LabelVolume resample_nearest(const LabelVolume& v, const Geometry& target) {
  return resample<uint8_t, itk::NearestNeighborInterpolateImageFunction<itk::Image<uint8_t, 3>, double>>(v, target);
}

}  // namespace p2l
