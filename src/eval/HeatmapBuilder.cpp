#include "eval/HeatmapBuilder.hpp"

#include <stdexcept>

#include "eval/GridUpsampling.hpp"
#include "model/AutocastScope.hpp"
#include "model/PatchExtractor.hpp"

namespace p2l {
namespace {

torch::Tensor int64_tensor(const std::vector<int64_t>& v, const torch::Device& d) {
  return torch::tensor(v, torch::kInt64).to(d);
}

}  // namespace

Precision resolve_inference_precision(Precision requested, bool gpu) {
  if (requested != Precision::kAuto) return requested;
  return gpu ? Precision::kFp16 : Precision::kFp32;
}

HeatmapBuilder::HeatmapBuilder(Patch2LocNet net, const HeatmapOptions& opt, torch::Device device)
    : net_(std::move(net)), opt_(opt), device_(device),
      precision_(resolve_inference_precision(opt.precision, device.is_cuda())) {
  if (opt_.stride < 1) throw std::runtime_error("eval.stride: must be >= 1");
  net_->to(device_);
  net_->eval();
  if (opt_.fold_batchnorm) folded_ = std::make_unique<FoldedPatch2LocNet>(net_);
}

Patch2LocOutput HeatmapBuilder::forward(const torch::Tensor& patches, const torch::Tensor& cond) {
  AutocastScope autocast(precision_, device_.is_cuda(), "eval.precision");
  Patch2LocOutput out = folded_ ? folded_->forward(patches, cond) : net_->forward(patches, cond);
  return {out.mean.to(torch::kFloat32), out.logvar.to(torch::kFloat32)};
}

ScoreMaps HeatmapBuilder::score_maps(const SubjectSlices& s) {
  check_trained_slices(opt_.trained_slices, s.height, s.width, "Patch2Loc");
  c10::InferenceMode inference;
  const int64_t Z = s.depth, H = s.height, W = s.width;
  const int64_t p = patch_side(opt_.patch_fraction, std::min(H, W));  // as PatchSampler
  const int64_t stride = opt_.stride, gh = grid_points(int(H), opt_.stride), gw = grid_points(int(W), opt_.stride);
  // One upload per volume; from here to the final maps everything stays on the device.
  auto slices = torch::from_blob(const_cast<float*>(s.image.data()), {Z, H, W}, torch::kFloat32).to(device_);
  auto masks = torch::from_blob(const_cast<uint8_t*>(s.mask.data()), {Z, H, W}, torch::kUInt8).to(device_);
  const auto lopt = torch::TensorOptions().dtype(torch::kInt64).device(device_);

  // Every grid point of every slice, as flat indices into the [Z, gh, gw] score grid.
  auto points = torch::arange(Z * gh * gw, lopt);
  auto pz = points.div(gh * gw, "floor"), py = points.div(gw, "floor").remainder(gh) * stride,
       px = points.remainder(gw) * stride;
  // Slices without brain are never scored; with skip_background neither are points failing
  // the brain-fraction rule (the fraction of all grid points at once, by box filtering).
  auto wanted = masks.flatten(1).amax(1).gt(0).index_select(0, pz);
  if (opt_.skip_background)
    wanted.logical_and_(grid_brain_fraction(masks, p, stride).reshape({-1}).ge(opt_.min_brain_fraction));
  auto scored = torch::nonzero(wanted).reshape({-1});  // the volume's one wait for the device
  auto err = torch::zeros({Z * gh * gw}, torch::TensorOptions().dtype(torch::kFloat32).device(device_));
  auto var = torch::zeros_like(err);

  const int64_t n = scored.size(0);
  for (int64_t b0 = 0; b0 < n; b0 += opt_.batch_size) {
    auto idx = scored.slice(0, b0, std::min(n, b0 + opt_.batch_size));
    auto tz = pz.index_select(0, idx), ty = py.index_select(0, idx), tx = px.index_select(0, idx);
    PatchSet ps = extract_patches(slices, masks, tz, ty, tx, p);
    auto cond = tz.to(torch::kFloat32) * (100.0 / Z);
    auto target = torch::stack({ty.to(torch::kFloat32) * (100.0 / H), tx.to(torch::kFloat32) * (100.0 / W)}, 1);
    Patch2LocOutput out = forward(ps.patches, cond);
    auto e = torch::log((out.mean - target).pow(2).sum(1) + 1e-10);
    auto v = out.logvar.mean(1);
    auto ok = ps.brain_fraction >= opt_.min_brain_fraction;  // zeroes the unscreened (skip off)
    err.index_copy_(0, idx, torch::where(ok, e, torch::zeros_like(e)));
    var.index_copy_(0, idx, torch::where(ok, v, torch::zeros_like(v)));
  }
  patches_scored_ += n;

  // Upsampled to every pixel on the device, then one download per map.
  auto to_volume = [&](const torch::Tensor& grid) {
    auto full = upsample_grid(grid.view({Z, gh, gw}), int(stride), H, W).to(torch::kCPU).contiguous();
    std::vector<float> zhw(full.data_ptr<float>(), full.data_ptr<float>() + full.numel());
    return slices_to_volume(zhw, s.geom);
  };
  return {to_volume(err), to_volume(var)};
}

Patch2LocOutput HeatmapBuilder::predict(const SubjectSlices& s, const std::vector<int64_t>& z,
                                        const std::vector<int64_t>& y, const std::vector<int64_t>& x) {
  check_trained_slices(opt_.trained_slices, s.height, s.width, "Patch2Loc");
  c10::InferenceMode inference;
  const int64_t p = patch_side(opt_.patch_fraction, std::min(s.height, s.width));
  auto slices = torch::from_blob(const_cast<float*>(s.image.data()), {s.depth, s.height, s.width}, torch::kFloat32).to(device_);
  auto masks = torch::from_blob(const_cast<uint8_t*>(s.mask.data()), {s.depth, s.height, s.width}, torch::kUInt8).to(device_);
  auto tz = int64_tensor(z, device_);
  PatchSet ps = extract_patches(slices, masks, tz, int64_tensor(y, device_), int64_tensor(x, device_), p);
  Patch2LocOutput out = forward(ps.patches, tz.to(torch::kFloat32) * (100.0 / s.depth));
  return {out.mean.to(torch::kCPU), out.logvar.to(torch::kCPU)};
}

}  // namespace p2l
