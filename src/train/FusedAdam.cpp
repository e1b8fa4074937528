#include "train/FusedAdam.hpp"

#include <ATen/Parallel.h>

#include <cmath>
#include <stdexcept>

namespace p2l {

FusedAdam::FusedAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options)
    : torch::optim::Adam(std::move(params), options) {
  if (options.weight_decay() != 0 || options.amsgrad())
    throw std::runtime_error("FusedAdam: weight decay and AMSGrad are not supported");
}

torch::Tensor FusedAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const torch::Tensor& grad = p.grad();
      void* const key = p.unsafeGetTensorImpl();  // LibTorch 2.x keys optimiser state by TensorImpl
      auto it = state().find(key);
      if (it == state().end()) {
        auto s = std::make_unique<torch::optim::AdamParamState>();
        s->step(0);
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state().emplace(key, std::move(s)).first;
      }
      auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
      s.step(s.step() + 1);
      const double bc1 = 1 - std::pow(beta1, double(s.step()));
      const double bc2 = 1 - std::pow(beta2, double(s.step()));
      const double step_size = o.lr() / bc1;
      torch::Tensor m = s.exp_avg(), v = s.exp_avg_sq();
      const auto fmt = p.suggest_memory_format();
      const bool fused = p.device().is_cpu() && p.scalar_type() == at::kFloat &&
                         grad.scalar_type() == at::kFloat && p.is_contiguous(fmt) &&
                         grad.is_contiguous(fmt) && m.is_contiguous(fmt) && v.is_contiguous(fmt);
      if (!fused) {  // LibTorch's Adam, operation by operation
        m.mul_(beta1).add_(grad, 1 - beta1);
        v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        auto denom = (v.sqrt() / std::sqrt(bc2)).add_(o.eps());
        p.addcdiv_(m, denom, -step_size);
        continue;
      }
      float* pp = p.data_ptr<float>();
      const float* gp = grad.data_ptr<float>();
      float* mp = m.data_ptr<float>();
      float* vp = v.data_ptr<float>();
      const float b1 = float(beta1), b2 = float(beta2), c1 = float(1 - beta1), c2 = float(1 - beta2);
      const float inv_sqrt_bc2 = float(1.0 / std::sqrt(bc2)), eps = float(o.eps()), lr = float(step_size);
      at::parallel_for(0, p.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          const float g = gp[i];
          const float mi = mp[i] * b1 + c1 * g;
          const float vi = vp[i] * b2 + c2 * g * g;
          mp[i] = mi;
          vp[i] = vi;
          pp[i] -= lr * mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps);
        }
      });
    }
  }
  return loss;
}

}  // namespace p2l
