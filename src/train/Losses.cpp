#include "train/Losses.hpp"

namespace p2l {
namespace {

// Gaussian NLL per coordinate, without the constant: 0.5 ((t - mu)^2 / s2 + log s2).
torch::Tensor gaussian_nll(const torch::Tensor& mean, const torch::Tensor& logvar, const torch::Tensor& t) {
  return 0.5 * ((t - mean).pow(2) * torch::exp(-logvar) + logvar);
}

}  // namespace

torch::Tensor location_loss(const Patch2LocOutput& out, const torch::Tensor& targets,
                            LocationLoss loss, double beta) {
  // Losses in float32 whatever precision the forward ran in.
  auto mean = out.mean.to(torch::kFloat32);
  auto logvar = out.logvar.to(torch::kFloat32);
  auto t = targets.to(torch::kFloat32);
  torch::Tensor per_coord;
  switch (loss) {
    case LocationLoss::kBetaNll:
      // Seitzer et al.: weighting by stopgrad(s2)^beta = exp(beta * logvar) undoes the NLL's
      // down-weighting of poorly fitted points.
      per_coord = gaussian_nll(mean, logvar, t) * torch::exp(beta * logvar.detach());
      break;
    case LocationLoss::kMse:
      per_coord = (t - mean).pow(2);
      break;
    case LocationLoss::kStirn:
      per_coord = 0.5 * (t - mean).pow(2) + gaussian_nll(mean.detach(), logvar, t);
      break;
  }
  return per_coord.sum(1).mean();
}

torch::Tensor mean_location_error(const torch::Tensor& mean, const torch::Tensor& targets) {
  return (mean.to(torch::kFloat32) - targets.to(torch::kFloat32)).pow(2).sum(1).sqrt().mean();
}

}  // namespace p2l
