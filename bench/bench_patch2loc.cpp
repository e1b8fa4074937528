// Our side of the PyTorch-reference comparison (bench/compare_reference.py runs both): training
// step throughput and sliding-window heatmap time of one volume, with the same threads, patch
// size and batch as the reference. Prints one JSON object.
//   bench_patch2loc train --threads T --batch B --patch P --steps N [--precision fp32|bf16] [--plain]
//                         [--device cpu|cuda] [--side 96]
//   bench_patch2loc infer --threads T --stride S --out DIR [--checkpoint best.pt] [--plain]
//                         [--device cpu|cuda] [--side 96] [--depth 80] [--precision fp32|fp16|bf16]
// infer writes DIR/model.pt (the weights), DIR/volume.pt (a synthetic side x side x depth brain) and
// DIR/heatmap_stride<S>.pt (raw score map and the median-filtered, masked heatmap) as
// torch.save-compatible files for the reference to load and compare with.
// --plain turns off the valid-tap convolutions and BatchNorm folding (to see what they give).
#include <ATen/CPUGeneratorImpl.h>
#ifdef P2L_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#include <sys/resource.h>
#include <torch/serialize.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "../tests/train/SyntheticBrain.hpp"
#include "dist/Communicator.hpp"
#include "eval/HeatmapBuilder.hpp"
#include "scoring/MedianFilter.hpp"
#include "eval/TensorMedianFilter.hpp"
#include "model/PatchExtractor.hpp"
#include "train/Checkpoint.hpp"
#include "train/Trainer.hpp"

using namespace p2l;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Peak bytes held by the CUDA caching allocator (0 on the CPU).
double peak_gpu_mb(const torch::Device& d) {
#ifdef P2L_WITH_CUDA
  if (!d.is_cuda()) return 0;
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(d.index() < 0 ? 0 : d.index());
  return double(stats.allocated_bytes[size_t(c10::CachingAllocator::StatType::AGGREGATE)].peak) / (1024.0 * 1024.0);
#else
  return 0;
#endif
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;
}

std::map<std::string, std::string> parse(int argc, char** argv) {
  std::map<std::string, std::string> a{{"threads", "2"}, {"batch", "1024"}, {"patch", "12"},
                                       {"steps", "5"},   {"stride", "4"},   {"precision", "fp32"},
                                       {"out", ""},      {"checkpoint", ""}, {"plain", "0"},
                                       {"device", "cpu"}, {"side", "96"},    {"depth", "80"}};
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || !a.count(k.substr(2))) throw std::runtime_error("unknown argument " + k);
    if (k == "--plain") a["plain"] = "1";
    else if (i + 1 < argc) a[k.substr(2)] = argv[++i];
    else throw std::runtime_error(k + " needs a value");
  }
  return a;
}

Config bench_config(const std::map<std::string, std::string>& a, int side) {
  Config cfg = testing::small_training_config(
      (std::filesystem::temp_directory_path() / ("p2l_bench_" + std::to_string(getpid()))).string());
  cfg.train.patch_fraction = (std::stod(a.at("patch")) + 0.5) / side;
  cfg.train.patches_per_step = std::stoi(a.at("batch"));
  cfg.train.slices_per_step = 8;
  cfg.train.precision = precisions().parse(a.at("precision"), "precision");
  cfg.eval.precision = precisions().parse(a.at("precision"), "precision");
  cfg.model.valid_taps_only = a.at("plain") == "0";
  cfg.train.device = device_requests().parse(a.at("device"), "device");
  return cfg;
}

// Device work is asynchronous: wait for it before reading the clock.
void synchronize(const torch::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize(d.index() < 0 ? 0 : d.index());
}

void train(const std::map<std::string, std::string>& a) {
  const int side = std::stoi(a.at("side"));
  Config cfg = bench_config(a, side);
  Communicator one(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(60));
  TrainingData data{testing::synthetic_split("tr", 8, 1, 16, side), testing::synthetic_split("va", 1, 9, 16, side), std::nullopt};
  Trainer t(cfg, one, data);
  PatchSampler sampler(data.train, cfg.train, t.device());
  std::vector<double> times;
  const int steps = std::stoi(a.at("steps"));
  int64_t n = 0;
  for (int s = 0; s <= steps; ++s) {  // the first step warms up
    torch::Generator g = seeded_generator(step_seed(1, 0, s), t.device());
    PatchBatch b = sampler.sample(g);
    n = b.patches.size(0);
    synchronize(t.device());
    auto t0 = Clock::now();
    t.train_step(b);  // returns the loss: waits for the step
    if (s > 0) times.push_back(since(t0));
  }
  std::sort(times.begin(), times.end());
  double step = times[times.size() / 2];
  std::cout << "{\"implementation\": \"patch2loc-cpp\", \"mode\": \"train\", \"threads\": "
            << torch::get_num_threads() << ", \"batch\": " << n << ", \"patch\": " << sampler.patch_size()
            << ", \"precision\": \"" << a.at("precision") << "\", \"plain\": " << (a.at("plain") == "1" ? "true" : "false")
            << ", \"device\": \"" << t.device().str() << "\""
            << ", \"patches_per_s\": " << double(n) / step << ", \"step_s\": " << step
            << ", \"peak_rss_mb\": " << peak_rss_mb() << "}" << std::endl;
}

void save_tensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors) {
  c10::Dict<std::string, torch::Tensor> d;
  for (const auto& [k, v] : tensors) d.insert(k, v.contiguous());
  std::vector<char> bytes = torch::pickle_save(c10::IValue(d));
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

torch::Tensor zhw(const std::vector<float>& v, const SubjectSlices& s) {
  return torch::from_blob(const_cast<float*>(v.data()), {s.depth, s.height, s.width}, torch::kFloat32).clone();
}

void infer(const std::map<std::string, std::string>& a) {
  const int side = std::stoi(a.at("side")), depth = std::stoi(a.at("depth"));
  const torch::Device device(a.at("device"));
  Config cfg = bench_config(a, side);
  const std::string out = a.at("out");
  if (out.empty()) throw std::runtime_error("infer needs --out DIR");
  std::filesystem::create_directories(out);
  Patch2LocNet net(cfg.model);
  if (!a.at("checkpoint").empty()) {
    load_model_weights(a.at("checkpoint"), *net);
  } else {  // a short training run gives realistic weights and BatchNorm statistics
    Communicator one(RankInfo{}, MasterEndpoint{"127.0.0.1", 0}, Backend::kGloo, c10::Device(c10::kCPU), std::chrono::seconds(60));
    cfg.train.patches_per_step = 256;
    cfg.train.steps = 30;
    cfg.train.val_every = cfg.train.checkpoint_every = cfg.train.density_every = 1000;
    cfg.train.log_every = 1000;
    Trainer t(cfg, one, {testing::synthetic_split("tr", 8, 1, 16, side), testing::synthetic_split("va", 1, 9, 16, side), std::nullopt});
    t.run();
    net = t.model();
  }
  SubjectSlices s = testing::synthetic_subject("volume", depth, side, 5);
  std::map<std::string, torch::Tensor> weights;
  for (const auto& p : net->named_parameters()) weights[p.key()] = p.value().detach();
  for (const auto& b : net->named_buffers()) weights[b.key()] = b.value().detach();
  save_tensors(out + "/model.pt", weights);
  const int64_t p = patch_side(cfg.train.patch_fraction, side);
  save_tensors(out + "/volume.pt", {{"image", zhw(s.image, s)},
                                    {"mask", torch::from_blob(s.mask.data(), {depth, side, side}, torch::kUInt8).clone()},
                                    {"patch", torch::tensor({p})}});
  HeatmapOptions opt;
  opt.stride = std::stoi(a.at("stride"));
  opt.patch_fraction = cfg.train.patch_fraction;
  opt.batch_size = 2048;
  opt.precision = precisions().parse(a.at("precision"), "precision");
  opt.fold_batchnorm = a.at("plain") == "0";
  HeatmapBuilder builder(net, opt, device);
  const MapFilter filter = device.is_cuda() ? map_filter_on(device) : MapFilter(filter_and_mask);
  {
    ScoreMaps warm = builder.score_maps(testing::synthetic_subject("warmup", 3, side, 6));
    filter(warm.error, 7, slices_to_volume(testing::synthetic_subject("warmup", 3, side, 6).mask, warm.error.geom));
  }
  if (device.is_cuda()) torch::cuda::synchronize();
  auto t0 = Clock::now();
  ScoreMaps maps = builder.score_maps(s);  // ends with the maps' download: synchronous
  const double score_s = since(t0);
  auto t1 = Clock::now();
  FloatVolume score = combine_scores(maps, ScoreComponent::kBoth);
  LabelVolume mask = slices_to_volume(s.mask, maps.error.geom);
  FloatVolume heat = filter(score, 7, mask);
  const double median_s = since(t1);
  save_tensors(out + "/heatmap_stride" + a.at("stride") + ".pt",
               {{"score", zhw(volume_to_slices(score), s)}, {"heatmap", zhw(volume_to_slices(heat), s)}});
  std::cout << "{\"implementation\": \"patch2loc-cpp\", \"mode\": \"infer\", \"threads\": "
            << torch::get_num_threads() << ", \"device\": \"" << device.str() << "\", \"side\": " << side
            << ", \"depth\": " << depth << ", \"stride\": " << opt.stride << ", \"patch\": " << p
            << ", \"precision\": \"" << a.at("precision") << "\", \"plain\": " << (a.at("plain") == "1" ? "true" : "false")
            << ", \"patches_scored\": " << builder.patches_scored()
            << ", \"seconds_per_volume\": " << score_s + median_s << ", \"score_seconds\": " << score_s
            << ", \"median_seconds\": " << median_s << ", \"peak_rss_mb\": " << peak_rss_mb()
            << ", \"peak_gpu_mb\": " << peak_gpu_mb(device) << "}" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw std::runtime_error("usage: bench_patch2loc train|infer [--key value ...]");
    auto a = parse(argc, argv);
    torch::set_num_threads(std::stoi(a.at("threads")));
    std::string mode = argv[1];
    if (mode == "train") train(a);
    else if (mode == "infer") infer(a);
    else throw std::runtime_error("unknown mode " + mode);
  } catch (const std::exception& e) {
    std::cerr << "bench_patch2loc: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
