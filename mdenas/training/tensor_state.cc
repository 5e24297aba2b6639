#include "mdenas/training/tensor_state.h"

#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/training/sgd.h"

namespace mdenas {
namespace {

TensorProto ToProto(const std::string& name, const torch::Tensor& tensor) {
  TensorProto proto;
  proto.set_name(name);
  for (int64_t size : tensor.sizes()) proto.add_shape(size);
  const torch::Tensor data = tensor.detach().to(torch::kCPU).contiguous();
  proto.set_dtype(data.scalar_type() == torch::kInt64 ? TensorProto::INT64
                                                      : TensorProto::FLOAT32);
  const torch::Tensor typed =
      data.scalar_type() == torch::kInt64 ? data : data.to(torch::kFloat32);
  proto.set_data(typed.data_ptr(), typed.numel() * typed.element_size());
  return proto;
}

// Copies `proto` into `tensor` after checking that shape and type agree.
absl::Status CopyInto(const TensorProto& proto, torch::Tensor tensor) {
  const std::vector<int64_t> shape(proto.shape().begin(), proto.shape().end());
  if (tensor.sizes() != torch::IntArrayRef(shape)) {
    return absl::DataLossError(absl::StrCat(
        "tensor '", proto.name(), "' has shape [", absl::StrJoin(shape, ", "),
        "], expected [", absl::StrJoin(tensor.sizes(), ", "), "]"));
  }
  const bool is_int64 = tensor.scalar_type() == torch::kInt64;
  const TensorProto::DataType dtype =
      is_int64 ? TensorProto::INT64 : TensorProto::FLOAT32;
  const size_t element = is_int64 ? sizeof(int64_t) : sizeof(float);
  if (proto.dtype() != dtype ||
      proto.data().size() != static_cast<size_t>(tensor.numel()) * element) {
    return absl::DataLossError(absl::StrCat(
        "tensor '", proto.name(), "' has the wrong type or size of data"));
  }
  torch::Tensor source = torch::empty(tensor.sizes(), is_int64 ? torch::kInt64
                                                               : torch::kFloat32);
  std::memcpy(source.data_ptr(), proto.data().data(), proto.data().size());
  torch::NoGradGuard no_grad;
  tensor.copy_(source);
  return absl::OkStatus();
}

std::map<std::string, const TensorProto*> ByName(const TensorMapProto& state) {
  std::map<std::string, const TensorProto*> by_name;
  for (const TensorProto& tensor : state.tensors()) {
    by_name[tensor.name()] = &tensor;
  }
  return by_name;
}

}  // namespace

TensorMapProto ModuleState(const torch::nn::Module& module) {
  TensorMapProto state;
  for (const auto& item : module.named_parameters()) {
    *state.add_tensors() = ToProto(item.key(), item.value());
  }
  for (const auto& item : module.named_buffers()) {
    *state.add_tensors() = ToProto(item.key(), item.value());
  }
  return state;
}

absl::Status LoadModuleState(const TensorMapProto& state,
                             torch::nn::Module* module) {
  const std::map<std::string, const TensorProto*> by_name = ByName(state);
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  for (const auto& item : module->named_parameters()) {
    targets.emplace_back(item.key(), item.value());
  }
  for (const auto& item : module->named_buffers()) {
    targets.emplace_back(item.key(), item.value());
  }
  if (by_name.size() != targets.size() ||
      static_cast<size_t>(state.tensors_size()) != targets.size()) {
    return absl::DataLossError(absl::StrCat(
        "module state holds ", state.tensors_size(), " tensors, the network has ",
        targets.size()));
  }
  for (const auto& [name, tensor] : targets) {
    const auto it = by_name.find(name);
    if (it == by_name.end()) {
      return absl::DataLossError(
          absl::StrCat("module state has no tensor '", name, "'"));
    }
    MDENAS_RETURN_IF_ERROR(CopyInto(*it->second, tensor));
  }
  return absl::OkStatus();
}

TensorMapProto SgdState(const torch::optim::SGD& optimizer) {
  TensorMapProto state;
  int index = 0;
  for (const auto& group : optimizer.param_groups()) {
    for (const torch::Tensor& parameter : group.params()) {
      if (const torch::Tensor* buffer = FindMomentumBuffer(optimizer, parameter)) {
        *state.add_tensors() = ToProto(std::to_string(index), *buffer);
      }
      ++index;
    }
  }
  return state;
}

absl::Status LoadSgdState(const TensorMapProto& state,
                          torch::optim::SGD* optimizer) {
  std::map<std::string, const TensorProto*> by_name = ByName(state);
  optimizer->state().clear();
  int index = 0;
  for (const auto& group : optimizer->param_groups()) {
    for (const torch::Tensor& parameter : group.params()) {
      const auto it = by_name.find(std::to_string(index++));
      if (it == by_name.end()) continue;
      torch::Tensor buffer = torch::empty_like(parameter);
      MDENAS_RETURN_IF_ERROR(CopyInto(*it->second, buffer));
      SetMomentumBuffer(optimizer, parameter, std::move(buffer));
      by_name.erase(it);
    }
  }
  if (!by_name.empty()) {
    return absl::DataLossError(absl::StrCat(
        "optimizer state names parameter '", by_name.begin()->first,
        "', which the network does not have"));
  }
  return absl::OkStatus();
}

std::string CpuGeneratorState() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  const at::Tensor state = generator.get_state();
  return std::string(static_cast<const char*>(state.data_ptr()),
                     static_cast<size_t>(state.numel()));
}

absl::Status LoadCpuGeneratorState(const std::string& state) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  const int64_t expected = generator.get_state().numel();
  if (static_cast<int64_t>(state.size()) != expected) {
    return absl::DataLossError(absl::StrCat("random generator state has ",
                                            state.size(), " bytes, expected ",
                                            expected));
  }
  at::Tensor tensor = torch::empty({expected}, torch::kUInt8);
  std::memcpy(tensor.data_ptr(), state.data(), state.size());
  try {
    generator.set_state(tensor);
  } catch (const c10::Error& error) {
    return absl::DataLossError(absl::StrCat(
        "random generator state is invalid: ", error.what_without_backtrace()));
  }
  return absl::OkStatus();
}

}  // namespace mdenas
