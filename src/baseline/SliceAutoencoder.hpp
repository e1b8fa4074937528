#pragma once
// The convolutional autoencoder baseline: a 2-D autoencoder of whole axial slices with a
// spatial bottleneck. Each of ae.channels is one encoder stage (3x3 convolution, stride 2,
// BatchNorm, LeakyReLU) mirrored by a decoder stage (nearest 2x upsampling, 3x3 convolution,
// BatchNorm, LeakyReLU); a 1x1 convolution maps to and from ae.latent_channels. Slices whose
// sides do not divide by 2^stages are zero-padded and the output cropped back.
#include <torch/torch.h>

#include <vector>

#include "config/BaselineConfig.hpp"
#include "store/SubjectSlices.hpp"

namespace p2l {

class SliceAutoencoderImpl : public torch::nn::Module {
 public:
  explicit SliceAutoencoderImpl(const AutoencoderConfig& cfg);
  // [N, 1, H, W] -> the reconstruction, same shape.
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t stages_;
  torch::nn::Sequential encoder_{nullptr}, decoder_{nullptr};
};
TORCH_MODULE(SliceAutoencoder);

// The residual map |x - x_hat| of every slice of `s` inside its brain mask (Z*H*W, 0 outside),
// in eval mode, `batch` slices at a time.
std::vector<float> residual_map(SliceAutoencoder& net, const SubjectSlices& s, torch::Device device,
                                int batch = 32);

}  // namespace p2l
