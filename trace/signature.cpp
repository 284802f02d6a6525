#include "trace/signature.h"

#include "eager/grad_mode.h"

namespace ember::trace {

std::string spec_str(const TensorSpec& s) {
  std::vector<std::string> d;
  for (int64_t x : s.shape) d.push_back(x < 0 ? "None" : std::to_string(x));
  return fmt::format("{}[{}]{}", dtype_name(s.dtype), fmt::join(d, ", "),
                     s.device.is_cpu() ? "" : " on " + s.device.str());
}

CallSignature signature_of(std::span<const Tensor> args,
                           const std::vector<std::vector<int64_t>>& dynamic_dims,
                           std::string static_key) {
  CallSignature sig;
  sig.static_key = std::move(static_key);
  sig.grad_enabled = is_grad_enabled();
  sig.tensors.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    const Tensor& t = args[i];
    TensorSpec s{{t.shape().begin(), t.shape().end()}, t.dtype(), t.device(), t.requires_grad()};
    if (i < dynamic_dims.size()) {
      for (int64_t d : dynamic_dims[i]) {
        if (d >= 0 && d < t.dim()) s.shape[d] = -1;
      }
    }
    sig.tensors.push_back(std::move(s));
  }
  return sig;
}

bool matches(const CallSignature& traced, const CallSignature& call) {
  if (traced.static_key != call.static_key || traced.grad_enabled != call.grad_enabled ||
      traced.tensors.size() != call.tensors.size()) {
    return false;
  }
  for (size_t i = 0; i < traced.tensors.size(); ++i) {
    const TensorSpec& a = traced.tensors[i];
    const TensorSpec& b = call.tensors[i];
    if (a.dtype != b.dtype || a.device != b.device || a.requires_grad != b.requires_grad ||
        a.shape.size() != b.shape.size()) {
      return false;
    }
    for (size_t d = 0; d < a.shape.size(); ++d) {
      if (a.shape[d] >= 0 && a.shape[d] != b.shape[d]) return false;
    }
  }
  return true;
}

bool matches(const CallSignature& traced, std::span<const Tensor> args,
             const std::vector<std::vector<int64_t>>& dynamic_dims, const std::string& static_key) {
  if (traced.tensors.size() != args.size() || traced.grad_enabled != is_grad_enabled() ||
      traced.static_key != static_key) {
    return false;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const TensorSpec& a = traced.tensors[i];
    const Tensor& t = args[i];
    if (a.dtype != t.dtype() || a.device != t.device() || a.requires_grad != t.requires_grad() ||
        static_cast<int64_t>(a.shape.size()) != t.dim()) {
      return false;
    }
    for (size_t d = 0; d < a.shape.size(); ++d) {
      if (a.shape[d] < 0) continue;
      bool dynamic = false;
      if (i < dynamic_dims.size()) {
        for (int64_t dd : dynamic_dims[i]) dynamic = dynamic || dd == static_cast<int64_t>(d);
      }
      // A declared-dynamic dim is -1 in the call's signature: it never equals a fixed size.
      if (dynamic || a.shape[d] != t.shape()[d]) return false;
    }
  }
  return true;
}

std::string explain_mismatch(const CallSignature& before, const CallSignature& now,
                             const std::vector<std::string>& names) {
  auto arg = [&](size_t i) {
    return i < names.size() && !names[i].empty() ? fmt::format("argument {} ({})", i, names[i])
                                                 : fmt::format("argument {}", i);
  };
  std::vector<std::string> why;
  if (before.tensors.size() != now.tensors.size()) {
    why.push_back(fmt::format("number of tensor arguments {} -> {}", before.tensors.size(),
                              now.tensors.size()));
  } else {
    for (size_t i = 0; i < now.tensors.size(); ++i) {
      const TensorSpec& a = before.tensors[i];
      const TensorSpec& b = now.tensors[i];
      if (a.dtype != b.dtype) {
        why.push_back(fmt::format("{}: dtype {} -> {}", arg(i), dtype_name(a.dtype), dtype_name(b.dtype)));
      }
      bool shape_differs = a.shape.size() != b.shape.size();
      for (size_t d = 0; !shape_differs && d < a.shape.size(); ++d) {
        shape_differs = a.shape[d] >= 0 && a.shape[d] != b.shape[d];
      }
      if (shape_differs) {
        why.push_back(fmt::format("{}: shape {} -> {}", arg(i), spec_str(a), spec_str(b)));
      }
      if (a.device != b.device) {
        why.push_back(fmt::format("{}: device {} -> {}", arg(i), a.device.str(), b.device.str()));
      }
      if (a.requires_grad != b.requires_grad) {
        why.push_back(fmt::format("{}: requires_grad {} -> {}", arg(i), a.requires_grad, b.requires_grad));
      }
    }
  }
  if (before.static_key != now.static_key) {
    why.push_back(fmt::format("non-tensor arguments or modes {} -> {}", before.static_key, now.static_key));
  }
  if (before.grad_enabled != now.grad_enabled) {
    why.push_back(fmt::format("grad mode {} -> {}", before.grad_enabled, now.grad_enabled));
  }
  return why.empty() ? "no difference" : fmt::format("{}", fmt::join(why, "; "));
}

}  // namespace ember::trace
