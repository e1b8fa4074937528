#include "preprocess/BiasFieldCorrection.hpp"

#include <itkN4BiasFieldCorrectionImageFilter.h>

#include <algorithm>
#include <limits>

#include "io/ItkVolume.hpp"

namespace p2l {

void n4_correct(FloatVolume& img, const LabelVolume& mask, int iterations, int levels) {
  FloatVolume positive = img;
  float min_pos = std::numeric_limits<float>::max();
  for (size_t i = 0; i < img.data.size(); ++i)
    if (mask.data[i] && img.data[i] > 0) min_pos = std::min(min_pos, img.data[i]);
  if (min_pos == std::numeric_limits<float>::max()) min_pos = 1.f;
  for (size_t i = 0; i < positive.data.size(); ++i)
    if (mask.data[i] && positive.data[i] <= 0) positive.data[i] = min_pos;

  using Filter = itk::N4BiasFieldCorrectionImageFilter<itk::Image<float, 3>, itk::Image<uint8_t, 3>,
                                                       itk::Image<float, 3>>;
  auto filter = Filter::New();
  filter->SetInput(to_itk(positive));
  filter->SetMaskImage(to_itk(mask));
  filter->SetMaskLabel(1);
  Filter::VariableSizeArrayType its(levels);
  its.Fill(iterations);
  filter->SetMaximumNumberOfIterations(its);
  filter->SetNumberOfFittingLevels(levels);
  filter->Update();
  FloatVolume corrected = img;
  copy_from_itk(filter->GetOutput(), corrected);
  for (size_t i = 0; i < img.data.size(); ++i)
    if (mask.data[i]) img.data[i] = corrected.data[i];
}

}  // namespace p2l
