#include "eval/HeatmapBuilder.hpp"

#include <stdexcept>

#include "model/AutocastScope.hpp"
#include "model/PatchExtractor.hpp"

namespace p2l {
namespace {

torch::Tensor int64_tensor(const std::vector<int64_t>& v, const torch::Device& d) {
  return torch::tensor(v, torch::kInt64).to(d);
}

}  // namespace

HeatmapBuilder::HeatmapBuilder(Patch2LocNet net, const HeatmapOptions& opt, torch::Device device)
    : net_(std::move(net)), opt_(opt), device_(device) {
  if (opt_.stride < 1) throw std::runtime_error("eval.stride: must be >= 1");
  net_->to(device_);
  net_->eval();
  if (opt_.fold_batchnorm) folded_ = std::make_unique<FoldedPatch2LocNet>(net_);
}

Patch2LocOutput HeatmapBuilder::forward(const torch::Tensor& patches, const torch::Tensor& cond) {
  const std::string precision =
      opt_.precision == "auto" ? (device_.is_cuda() ? "fp16" : "fp32") : opt_.precision;
  AutocastScope autocast(precision, device_.is_cuda(), "eval.precision");
  Patch2LocOutput out = folded_ ? folded_->forward(patches, cond) : net_->forward(patches, cond);
  return {out.mean.to(torch::kFloat32), out.logvar.to(torch::kFloat32)};
}

ScoreMaps HeatmapBuilder::score_maps(const SubjectSlices& s) {
  c10::InferenceMode inference;
  const int Z = s.depth, H = s.height, W = s.width;
  const int64_t p = patch_side(opt_.patch_fraction, std::min(H, W));  // as PatchSampler
  const int gh = grid_points(H, opt_.stride), gw = grid_points(W, opt_.stride);
  auto slices = torch::from_blob(const_cast<float*>(s.image.data()), {Z, H, W}, torch::kFloat32).to(device_);
  auto masks = torch::from_blob(const_cast<uint8_t*>(s.mask.data()), {Z, H, W}, torch::kUInt8).to(device_);
  // Grid scores per slice: [Z][gh][gw], 0 where no prediction.
  std::vector<float> err(size_t(Z) * gh * gw, 0.0f), var(err.size(), 0.0f);

  // The points to score: every grid point of every slice with brain, screened by the rule.
  std::vector<int64_t> pz, py, px;
  for (int z = 0; z < Z; ++z) {
    const uint8_t* m = s.mask_slice(z);
    bool brain = false;
    for (size_t i = 0; i < s.slice_size() && !brain; ++i) brain = m[i] != 0;
    if (!brain) continue;
    std::vector<int64_t> cz, cy, cx;
    for (int g = 0; g < gh; ++g)
      for (int f = 0; f < gw; ++f) cz.push_back(z), cy.push_back(int64_t(g) * opt_.stride), cx.push_back(int64_t(f) * opt_.stride);
    std::vector<uint8_t> keep(cz.size(), 1);
    if (opt_.skip_background) {
      auto frac = patch_brain_fraction(masks, int64_tensor(cz, device_), int64_tensor(cy, device_),
                                       int64_tensor(cx, device_), p)
                      .to(torch::kCPU).contiguous();
      const float* fr = frac.data_ptr<float>();
      for (size_t i = 0; i < cz.size(); ++i) keep[i] = fr[i] >= opt_.min_brain_fraction;
    }
    for (size_t i = 0; i < cz.size(); ++i)
      if (keep[i]) pz.push_back(cz[i]), py.push_back(cy[i]), px.push_back(cx[i]);
  }

  for (size_t b0 = 0; b0 < pz.size(); b0 += size_t(opt_.batch_size)) {
    const size_t b1 = std::min(pz.size(), b0 + size_t(opt_.batch_size));
    std::vector<int64_t> bz(pz.begin() + b0, pz.begin() + b1), by(py.begin() + b0, py.begin() + b1),
        bx(px.begin() + b0, px.begin() + b1);
    auto tz = int64_tensor(bz, device_), ty = int64_tensor(by, device_), tx = int64_tensor(bx, device_);
    PatchSet ps = extract_patches(slices, masks, tz, ty, tx, p);
    auto cond = tz.to(torch::kFloat32) * (100.0 / Z);
    auto target = torch::stack({ty.to(torch::kFloat32) * (100.0 / H), tx.to(torch::kFloat32) * (100.0 / W)}, 1);
    Patch2LocOutput out = forward(ps.patches, cond);
    auto e = torch::log((out.mean - target).pow(2).sum(1) + 1e-10);
    auto v = out.logvar.mean(1);
    auto ok = ps.brain_fraction >= opt_.min_brain_fraction;  // zeroes the unscreened (skip off)
    e = torch::where(ok, e, torch::zeros_like(e)).to(torch::kCPU).contiguous();
    v = torch::where(ok, v, torch::zeros_like(v)).to(torch::kCPU).contiguous();
    const float* ep = e.data_ptr<float>();
    const float* vp = v.data_ptr<float>();
    for (size_t i = 0; i < bz.size(); ++i) {
      const size_t g = (size_t(bz[i]) * gh + by[i] / opt_.stride) * gw + bx[i] / opt_.stride;
      err[g] = ep[i], var[g] = vp[i];
    }
    patches_scored_ += int64_t(bz.size());
  }

  // Upsample each slice to the full grid and lay the slices out as [Z][H][W].
  std::vector<float> err_zhw(size_t(Z) * H * W), var_zhw(err_zhw.size());
  const size_t gsize = size_t(gh) * gw;
  for (int z = 0; z < Z; ++z) {
    std::vector<float> ge(err.begin() + z * gsize, err.begin() + (z + 1) * gsize);
    std::vector<float> gv(var.begin() + z * gsize, var.begin() + (z + 1) * gsize);
    auto ue = upsample_grid(ge, gh, gw, opt_.stride, H, W), uv = upsample_grid(gv, gh, gw, opt_.stride, H, W);
    std::copy(ue.begin(), ue.end(), err_zhw.begin() + size_t(z) * H * W);
    std::copy(uv.begin(), uv.end(), var_zhw.begin() + size_t(z) * H * W);
  }
  return {slices_to_volume(err_zhw, s.geom), slices_to_volume(var_zhw, s.geom)};
}

Patch2LocOutput HeatmapBuilder::predict(const SubjectSlices& s, const std::vector<int64_t>& z,
                                        const std::vector<int64_t>& y, const std::vector<int64_t>& x) {
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
