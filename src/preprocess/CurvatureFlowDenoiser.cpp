#include "preprocess/CurvatureFlowDenoiser.hpp"

#include <itkCurvatureFlowImageFilter.h>

#include "preprocess/IntensityScaling.hpp"
#include "io/ItkVolume.hpp"

namespace p2l {

void curvature_flow(FloatVolume& img, const LabelVolume& mask, int iterations, double time_step) {
  using Image = itk::Image<float, 3>;
  auto filter = itk::CurvatureFlowImageFilter<Image, Image>::New();
  filter->SetInput(to_itk(img));
  filter->SetNumberOfIterations(iterations);
  filter->SetTimeStep(time_step);
  filter->Update();
  copy_from_itk(filter->GetOutput(), img);
  zero_outside(img, mask);
}

}  // namespace p2l
