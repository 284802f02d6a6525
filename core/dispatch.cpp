#include "core/dispatch.h"

#include "core/cpu/copy.h"
#include "core/device_backend.h"

namespace ember {
namespace {

AutogradHook* g_autograd_hook = nullptr;
thread_local TraceHook* t_trace_hook = nullptr;

bool any_requires_grad(std::span<const Tensor> inputs) {
  for (const Tensor& t : inputs) {
    if (t.defined() && t.requires_grad()) return true;
  }
  return false;
}

void check_defined(const Op& op, std::span<const Tensor> inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) raise<ValueError>("[{}] input {} is an undefined tensor", op.name(), i);
  }
}

Device kernel_device(const Op& op, std::span<const Tensor> inputs, const MetaList& metas) {
  if (!metas.empty()) return metas[0].device;
  return inputs.empty() ? kCPU : inputs[0].device();
}

TensorList dispatch_impl(const Op& op, std::span<const Tensor> inputs, bool trace,
                         int inplace_target = -1) {
  check_defined(op, inputs);
  TensorList outputs;
  if (op.kind() == OpKind::View) {
    outputs = op.make_views(inputs);
  } else {
    outputs = run_op(op, inputs);
  }
  // The tracer first, so tensors autograd derives from the outputs (saved aliases) map to
  // known values.
  if (trace && t_trace_hook) t_trace_hook->record(op, inputs, outputs);
  if (any_requires_grad(inputs) && g_autograd_hook && g_autograd_hook->enabled() &&
      op.is_differentiable()) {
    g_autograd_hook->record(op, inputs, std::span<Tensor>(outputs.data(), outputs.size()),
                            inplace_target);
  }
  return outputs;
}

void check_inplace_target(const Op& op, const Tensor& self, const TensorMeta& m) {
  if (m.shape != self.shape()) {
    raise<ValueError>("[{}_] result shape {} does not match the in-place target's shape {}",
                      op.name(), shape_str(m.shape), shape_str(self.shape()));
  }
  if (promote_types(m.dtype, self.dtype()) != self.dtype() &&
      !(is_floating(m.dtype) == is_floating(self.dtype()))) {
    raise<TypeError>("[{}_] result dtype {} cannot be cast to the in-place target's dtype {}",
                     op.name(), dtype_name(m.dtype), dtype_name(self.dtype()));
  }
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (self.strides()[d] == 0 && self.shape()[d] > 1) {
      raise<ValueError>("[{}_] cannot write in place to an expanded tensor (shape {}, strides {}): "
                        "several elements share one memory location; clone() it first",
                        op.name(), shape_str(self.shape()), shape_str(self.strides()));
    }
  }
}

// Kernels read their inputs on the op's device: a CUDA kernel may take 0-dim CPU tensors
// (Python numbers, as PyTorch allows), nothing else may cross devices.
void check_devices(const Op& op, std::span<const Tensor> inputs, Device d) {
  if (op.crosses_devices()) return;
  for (const Tensor& t : inputs) {
    if (!t.defined() || t.device() == d) continue;
    if (d.is_cuda() && t.device().is_cpu() && t.dim() == 0) continue;
    raise<ValueError>("[{}] expected all tensors on the same device, got {} and {}; move them "
                      "with .to(device) first", op.name(), d.str(), t.device().str());
  }
}

// copy_into for any pair of devices.
void copy_values(const Tensor& dst, const Tensor& src) {
  if (dst.device().is_cpu() && src.device().is_cpu()) {
    copy_into(dst, src);
  } else {
    cuda_backend_checked("copy_").copy(dst, src);
  }
}

}  // namespace

void run_kernel(const Op& op, std::span<const Tensor> inputs, std::span<Tensor> outputs) {
  Device d = outputs.empty() ? (inputs.empty() ? kCPU : inputs[0].device()) : outputs[0].device();
  check_devices(op, inputs, d);
  if (d.is_cpu()) {
    op.eval_cpu(inputs, outputs);
  } else {
    op.eval_cuda(inputs, outputs);
  }
}

TensorList run_op(const Op& op, std::span<const Tensor> inputs) {
  if (op.kind() == OpKind::View) return op.make_views(inputs);
  MetaList metas = op.infer(inputs);
  TensorList outputs;
  outputs.reserve(metas.size());
  for (const TensorMeta& m : metas) outputs.push_back(Tensor::empty(m.shape, m.dtype, m.device));
  Device d = kernel_device(op, inputs, metas);
  check_devices(op, inputs, d);
  if (d.is_cpu()) {
    op.eval_cpu(inputs, std::span<Tensor>(outputs.data(), outputs.size()));
  } else {
    op.eval_cuda(inputs, std::span<Tensor>(outputs.data(), outputs.size()));
  }
  return outputs;
}

void run_inplace(const Op& op, std::span<const Tensor> inputs) {
  const Tensor& self = inputs[0];
  MetaList metas = op.infer(inputs);
  check_inplace_target(op, self, metas[0]);
  if (metas[0].dtype == self.dtype() && op.inplace_kernel_ok() && metas.size() == 1) {
    // Elementwise kernels read and write each position once, so aliasing is safe.
    Tensor out = self;
    run_kernel(op, inputs, std::span<Tensor>(&out, 1));
  } else {
    TensorList out = run_op(op, inputs);
    copy_values(self, out[0]);
  }
}

TensorList dispatch(const Op& op, std::span<const Tensor> inputs) {
  return dispatch_impl(op, inputs, /*trace=*/true);
}

Tensor dispatch1(const Op& op, std::span<const Tensor> inputs) {
  TensorList out = dispatch_impl(op, inputs, /*trace=*/true);
  return std::move(out[0]);
}

Tensor dispatch_inplace(const Op& op, std::span<const Tensor> inputs) {
  check_defined(op, inputs);
  const Tensor& self = inputs[0];
  bool grad = any_requires_grad(inputs) && g_autograd_hook && g_autograd_hook->enabled();
  if (grad) {
    // Compute out of place with history, write the values back, and let self take over
    // the result's history (PyTorch's "rebase").
    TensorList out = dispatch_impl(op, inputs, /*trace=*/false, /*inplace_target=*/0);
    check_inplace_target(op, self, TensorMeta{out[0].shape(), out[0].dtype(), out[0].device()});
    g_autograd_hook->rebase(op, self, out[0]);
    copy_values(self, out[0]);
    self.storage()->bump_version();
    if (t_trace_hook) {
      t_trace_hook->record_inplace(op, inputs);
      t_trace_hook->record_alias(out[0], self);  // backward may read the functional result
    }
    return self;
  } else {
    run_inplace(op, inputs);
  }
  self.storage()->bump_version();
  if (t_trace_hook) t_trace_hook->record_inplace(op, inputs);
  return self;
}

void check_not_traced(const Tensor& t, std::string_view api) {
  if (t_trace_hook && t_trace_hook->is_traced(t)) {
    raise<Error>("[{}] cannot read the value of a tensor while ember.function traces it: the "
                 "value would be baked into the graph. Keep the computation in tensors: use "
                 "ember.where(cond, a, b) or ember.cond(pred, true_fn, false_fn) instead of "
                 "Python if/while on tensor values, and return tensors instead of calling "
                 ".item()", api);
  }
}

void set_autograd_hook(AutogradHook* hook) { g_autograd_hook = hook; }
AutogradHook* autograd_hook() { return g_autograd_hook; }
void set_trace_hook(TraceHook* hook) { t_trace_hook = hook; }
TraceHook* trace_hook() { return t_trace_hook; }

}  // namespace ember
