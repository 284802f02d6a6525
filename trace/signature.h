#pragma once
// Call signatures: what a compiled graph was specialized for. Per tensor argument its
// dtype, shape (with -1 for a declared-dynamic dim), device and requires_grad; a key for
// the non-tensor arguments (their values); and the grad mode.
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ember::trace {

struct TensorSpec {
  std::vector<int64_t> shape;  // -1: any size
  DType dtype = DType::Float32;
  Device device;
  bool requires_grad = false;
  friend bool operator==(const TensorSpec&, const TensorSpec&) = default;
};

struct CallSignature {
  std::vector<TensorSpec> tensors;
  std::string static_key;  // non-tensor arguments and modes, rendered by the caller
  bool grad_enabled = true;
  friend bool operator==(const CallSignature&, const CallSignature&) = default;
};

// dynamic: per argument, the dims that may vary (from input_signature or `dynamic=`).
CallSignature signature_of(std::span<const Tensor> args,
                           const std::vector<std::vector<int64_t>>& dynamic_dims,
                           std::string static_key);

// Whether a call with `call` may run a graph traced for `traced` (-1 dims match any size).
bool matches(const CallSignature& traced, const CallSignature& call);

// matches(traced, signature_of(args, dynamic_dims, static_key)) without building the call's
// signature (no allocation: the replay of a small step checks it on every call).
bool matches(const CallSignature& traced, std::span<const Tensor> args,
             const std::vector<std::vector<int64_t>>& dynamic_dims, const std::string& static_key);

// Why `now` did not match `before`: "argument 0 (x): shape [64, 784] -> [32, 784]".
std::string explain_mismatch(const CallSignature& before, const CallSignature& now,
                             const std::vector<std::string>& arg_names);

std::string spec_str(const TensorSpec& s);

}  // namespace ember::trace
