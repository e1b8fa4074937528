#pragma once
// Where and how a stage computes: device, arithmetic and collective backend. Each `kAuto` is a
// request, resolved once per stage on the rank's hardware (train/TrainingPrecision.hpp,
// eval/HeatmapBuilder.hpp, train/DataParallelLoop.hpp) and logged there.
#include "config/NamedEnum.hpp"

namespace p2l {

enum class DeviceRequest { kAuto, kCpu, kCuda };
inline const NamedEnum<DeviceRequest>& device_requests() {
  static const NamedEnum<DeviceRequest> e{
      {DeviceRequest::kAuto, "auto"}, {DeviceRequest::kCpu, "cpu"}, {DeviceRequest::kCuda, "cuda"}};
  return e;
}

// Autocast arithmetic; fp32 is no autocast. Training offers auto, fp32 and bf16 only.
enum class Precision { kAuto, kFp32, kBf16, kFp16 };
inline const NamedEnum<Precision>& precisions() {
  static const NamedEnum<Precision> e{
      {Precision::kAuto, "auto"}, {Precision::kFp32, "fp32"}, {Precision::kBf16, "bf16"}, {Precision::kFp16, "fp16"}};
  return e;
}

enum class Backend { kAuto, kGloo, kNccl };
inline const NamedEnum<Backend>& backends() {
  static const NamedEnum<Backend> e{{Backend::kAuto, "auto"}, {Backend::kGloo, "gloo"}, {Backend::kNccl, "nccl"}};
  return e;
}

}  // namespace p2l
