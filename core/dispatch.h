#pragma once
// dispatch(op, inputs): the one door every op goes through.
//   1. infer output metadata (errors name the op, shapes and dtypes);
//   2. allocate outputs and run the device kernel (or build views);
//   3. if an input requires grad, let autograd attach a node (eager installs the hook);
//   4. if a tracer is active on this thread, hand it the call.
// It lives in core (not eager, as DESIGN.md first drew it) because backward rules, which
// belong to the op, must dispatch too; eager and trace plug in through the hooks below.
#include <span>

#include "core/op.h"

namespace ember {

TensorList dispatch(const Op& op, std::span<const Tensor> inputs);
Tensor dispatch1(const Op& op, std::span<const Tensor> inputs);  // single-output ops

// In-place form: computes op(inputs) into inputs[0] (same shape; the result is cast to
// inputs[0]'s dtype when promotion allows) and bumps its version. Returns inputs[0].
Tensor dispatch_inplace(const Op& op, std::span<const Tensor> inputs);

// Runs only steps 1-2 (no autograd, no tracing): graph executors and kernels that compose.
TensorList run_op(const Op& op, std::span<const Tensor> inputs);
// Runs op's kernel writing into given outputs (already allocated with the inferred meta).
void run_kernel(const Op& op, std::span<const Tensor> inputs, std::span<Tensor> outputs);
// The in-place form of run_op: writes op(inputs) into inputs[0], checks included, no hooks.
void run_inplace(const Op& op, std::span<const Tensor> inputs);

// Installed by eager: records autograd history. Called when any input requires grad.
struct AutogradHook {
  virtual ~AutogradHook() = default;
  virtual bool enabled() const = 0;  // grad mode on this thread
  // `inplace_target`: index of the input the caller is about to overwrite with the result
  // (-1: none); autograd must save a snapshot of it rather than the tensor itself.
  virtual void record(const Op& op, std::span<const Tensor> inputs, std::span<Tensor> outputs,
                      int inplace_target = -1) = 0;
  // `self` was overwritten by the values of `result` (an output recorded by `record`):
  // self takes over result's history.
  virtual void rebase(const Op& op, const Tensor& self, const Tensor& result) = 0;
};
void set_autograd_hook(AutogradHook* hook);
AutogradHook* autograd_hook();

// Installed per thread by the tracer while it records.
struct TraceHook {
  virtual ~TraceHook() = default;
  virtual void record(const Op& op, std::span<const Tensor> inputs,
                      std::span<const Tensor> outputs) = 0;
  // inputs[0] was overwritten in place with op(inputs).
  virtual void record_inplace(const Op& op, std::span<const Tensor> inputs) = 0;
  // Autograd assigned a new .grad (undefined: None) to a leaf. Not an op, but a side effect a
  // replay must redo.
  virtual void record_set_grad(const Tensor& leaf, const Tensor& grad) {}
  // `alias` is a new handle on `original`'s data made without an op (autograd's saved
  // outputs): the tracer must treat it as the same value.
  virtual void record_alias(const Tensor& alias, const Tensor& original) {}
  // Whether t's value depends on the traced function's inputs or ops (so reading it into
  // Python would bake one call's data into the graph).
  virtual bool is_traced(const Tensor& t) const { return false; }
};

// Raises "[api] ..." if t is being traced: data-dependent Python (item(), bool(t), `if t:`)
// cannot be captured in a graph.
void check_not_traced(const Tensor& t, std::string_view api);
void set_trace_hook(TraceHook* hook);  // thread-local; nullptr to stop
TraceHook* trace_hook();

}  // namespace ember
