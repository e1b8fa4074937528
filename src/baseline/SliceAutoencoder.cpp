#include "baseline/SliceAutoencoder.hpp"

#include <stdexcept>

namespace p2l {
namespace {

namespace nn = torch::nn;

// 3x3 convolution, BatchNorm, LeakyReLU, appended to `seq`.
void add_conv_block(nn::Sequential& seq, int64_t in, int64_t out, int64_t stride) {
  seq->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
  seq->push_back(nn::BatchNorm2d(out));
  seq->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)));
}

}  // namespace

SliceAutoencoderImpl::SliceAutoencoderImpl(const AutoencoderConfig& cfg) : stages_(int64_t(cfg.channels.size())) {
  if (cfg.channels.empty()) throw std::runtime_error("ae.channels: needs at least one stage");
  nn::Sequential enc, dec;
  int64_t c = 1;
  for (int w : cfg.channels) add_conv_block(enc, c, w, 2), c = w;
  enc->push_back(nn::Conv2d(nn::Conv2dOptions(c, cfg.latent_channels, 1)));
  add_conv_block(dec, cfg.latent_channels, c, 1);
  for (int i = int(cfg.channels.size()) - 1; i >= 0; --i) {
    const int64_t to = i > 0 ? cfg.channels[size_t(i - 1)] : cfg.channels.front();
    dec->push_back(nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest)));
    add_conv_block(dec, c, to, 1);
    c = to;
  }
  dec->push_back(nn::Conv2d(nn::Conv2dOptions(c, 1, 3).padding(1)));
  encoder_ = register_module("encoder", enc);
  decoder_ = register_module("decoder", dec);
}

torch::Tensor SliceAutoencoderImpl::forward(const torch::Tensor& x) {
  const int64_t H = x.size(2), W = x.size(3), m = int64_t(1) << stages_;
  const int64_t ph = (m - H % m) % m, pw = (m - W % m) % m;
  torch::Tensor in = (ph || pw) ? torch::constant_pad_nd(x, {0, pw, 0, ph}) : x;
  torch::Tensor y = decoder_->forward(encoder_->forward(in));
  return (ph || pw) ? y.narrow(2, 0, H).narrow(3, 0, W) : y;
}

std::vector<float> residual_map(SliceAutoencoder& net, const SubjectSlices& s, torch::Device device, int batch) {
  c10::InferenceMode inference;
  net->eval();
  const int64_t Z = s.depth, H = s.height, W = s.width;
  // One upload and one download per volume; the batches stay on the device.
  auto image = torch::from_blob(const_cast<float*>(s.image.data()), {Z, 1, H, W}, torch::kFloat32).to(device);
  auto mask = torch::from_blob(const_cast<uint8_t*>(s.mask.data()), {Z, 1, H, W}, torch::kUInt8).to(device, torch::kFloat32);
  auto res = torch::empty_like(image);
  for (int64_t z = 0; z < Z; z += batch) {
    const int64_t n = std::min<int64_t>(batch, Z - z);
    auto x = image.narrow(0, z, n);
    res.narrow(0, z, n).copy_((x - net->forward(x).to(torch::kFloat32)).abs() * mask.narrow(0, z, n));
  }
  res = res.to(torch::kCPU).contiguous();
  return std::vector<float>(res.data_ptr<float>(), res.data_ptr<float>() + res.numel());
}

}  // namespace p2l
