#include "train/Checkpoint.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <fstream>
#include <stdexcept>

#include "io/AtomicFile.hpp"

namespace p2l {
namespace {

constexpr int64_t kFormatVersion = 1;

int64_t read_int(torch::serialize::InputArchive& ar, const std::string& key) {
  c10::IValue v;
  ar.read(key, v);
  return v.toInt();
}

// `device`: where the archive's tensors land.
void open_archive(const std::string& path, torch::serialize::InputArchive& ar, torch::Device device) {
  if (!std::ifstream(path)) throw std::runtime_error(path + ": checkpoint not found");
  try {
    ar.load_from(path, device);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not a readable checkpoint (corrupt or truncated): " +
                             std::string(e.what()).substr(0, 300));
  }
}

}  // namespace

void save_checkpoint(const std::string& path, torch::nn::Module& net, torch::optim::Optimizer& opt,
                     const TrainingState& state) {
  torch::serialize::OutputArchive ar, model_ar, opt_ar;
  net.save(model_ar);
  opt.save(opt_ar);
  ar.write("format_version", c10::IValue(kFormatVersion));
  ar.write("model", model_ar);
  ar.write("optimizer", opt_ar);
  ar.write("step", c10::IValue(state.step));
  ar.write("best_val_loss", c10::IValue(state.best_val_loss));
  ar.write("seed", c10::IValue(state.seed));
  ar.write("cpu_rng_state", at::detail::getDefaultCPUGenerator().get_state());
  if (state.density.defined()) ar.write("density", state.density);
  write_model_facts(ar, state.facts);
  ar.write("config_yaml", c10::IValue(state.config_yaml));
  write_file_atomic_streamed(path, "checkpoint", [&](const ByteSink& sink) { ar.save_to(sink); });
}

TrainingState load_checkpoint(const std::string& path, torch::nn::Module& net,
                              torch::optim::Optimizer& opt) {
  torch::serialize::InputArchive ar;
  open_archive(path, ar, net.parameters().front().device());
  TrainingState s;
  try {
    if (read_int(ar, "format_version") != kFormatVersion)
      throw std::runtime_error("unsupported format version");
    torch::serialize::InputArchive model_ar, opt_ar;
    ar.read("model", model_ar);
    net.load(model_ar);
    ar.read("optimizer", opt_ar);
    opt.load(opt_ar);
    s.step = read_int(ar, "step");
    c10::IValue v;
    ar.read("best_val_loss", v);
    s.best_val_loss = v.toDouble();
    s.seed = read_int(ar, "seed");
    torch::Tensor rng;
    ar.read("cpu_rng_state", rng);
    at::Generator cpu_gen = at::detail::getDefaultCPUGenerator();
    cpu_gen.set_state(rng.cpu());
    torch::Tensor density;
    if (ar.try_read("density", density)) s.density = density.cpu();
    s.facts = read_model_facts(ar);
    ar.read("config_yaml", v);
    s.config_yaml = v.toStringRef();
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": checkpoint does not match this model or is incomplete: " +
                             std::string(e.what()).substr(0, 300));
  }
  return s;
}

void load_model_weights(const std::string& path, torch::nn::Module& net) {
  torch::serialize::InputArchive ar, model_ar;
  open_archive(path, ar, net.parameters().front().device());
  try {
    ar.read("model", model_ar);
    net.load(model_ar);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": checkpoint does not match this model: " +
                             std::string(e.what()).substr(0, 300));
  }
}

ModelFacts load_model_facts(const std::string& path) {
  torch::serialize::InputArchive ar;
  open_archive(path, ar, torch::kCPU);  // no model yet to take a device from
  try {
    return read_model_facts(ar);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": checkpoint's model facts are incomplete: " + std::string(e.what()).substr(0, 300));
  }
}

}  // namespace p2l
