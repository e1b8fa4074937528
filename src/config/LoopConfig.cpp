#include "config/LoopConfig.hpp"

#include "config/Schema.hpp"

namespace p2l {

void bind(Schema& s, const std::string& section, LoopConfig& c) {
  const std::string k = section + ".";
  s.add(k + "lr", &c.lr, "Adam learning rate", 1e-8, 10.0);
  s.add(k + "schedule", &c.schedule, "learning-rate schedule over " + k + "steps: constant, cosine (after warm-up, down to train.min_lr_fraction * lr), onecycle (PyTorch OneCycleLR, train.onecycle_*), step (times train.step_gamma every train.step_every steps)", lr_schedules());
  s.add(k + "warmup_steps", &c.warmup_steps, "linear learning-rate warm-up steps (constant, cosine, step schedules)", 0, 100000000);
  s.add(k + "steps", &c.steps, "optimisation steps", 1, 100000000);
  s.add(k + "val_every", &c.val_every, "steps between validation passes (best.pt keeps the lowest validation loss)", 1, 100000000);
  s.add(k + "checkpoint_every", &c.checkpoint_every, "steps between last.pt checkpoint writes", 1, 100000000);
  s.add(k + "log_every", &c.log_every, "steps between progress lines and metric rows", 1, 100000000);
}

}  // namespace p2l
