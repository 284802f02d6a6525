#pragma once
// Op: the one definition of an operation. The eager dispatcher, autograd, the tracer, the
// graph executor and the serializer all work from it. An op knows
//   - its name and attributes (plain data, see attributes.h),
//   - how to infer output metadata and reject bad input with a clear message,
//   - its kernels per device,
//   - its backward rule (a VJP written with other ops, so it is itself dispatched,
//     traceable and differentiable),
//   - whether it is elementwise (fusable) or a view.
// Subclass OpImpl<Derived> (below) rather than Op directly. See docs/dev/adding_an_op.md.
#include <memory>
#include <span>
#include <string_view>

#include "core/attributes.h"
#include "core/tensor.h"

namespace ember {

struct TensorMeta {
  Shape shape;
  DType dtype = DType::Float32;
  Device device;
};
using MetaList = absl::InlinedVector<TensorMeta, 1>;

// What backward needs, handed to Op::vjp.
struct VjpArgs {
  std::span<const Tensor> inputs;          // saved inputs (undefined if not saved)
  std::span<const TensorMeta> input_meta;  // always available
  std::span<const Tensor> outputs;         // saved outputs (undefined if not saved)
  std::span<const Tensor> grads;           // one per output; undefined means zero
  std::span<const bool> needs_grad;        // one per input
};

enum class OpKind : uint8_t {
  Compute,  // allocates fresh outputs and runs a kernel
  View,     // outputs alias input 0's storage; no kernel (make_views)
  Source,   // no tensor inputs that matter for autograd (creation, random)
};

class Op {
 public:
  virtual ~Op() = default;

  virtual std::string_view name() const = 0;
  virtual std::unique_ptr<Op> clone() const = 0;
  virtual void attributes(Attrs& out) const {}
  virtual OpKind kind() const { return OpKind::Compute; }
  virtual bool is_elementwise() const { return false; }
  // dispatch_inplace may run the kernel with outputs[0] aliasing inputs[0] (no copy): true
  // for elementwise ops and for ops written for it (index_put).
  virtual bool inplace_kernel_ok() const { return is_elementwise(); }
  // Ops whose results vary between calls with equal inputs (random) must not be CSE'd or
  // constant-folded.
  virtual bool is_deterministic() const { return true; }
  // Ops that read inputs on one device and write outputs on another (to_device); dispatch
  // rejects mixed devices for every other op.
  virtual bool crosses_devices() const { return false; }

  // Output metadata from inputs; the place to validate and raise "[name] ..." errors.
  virtual MetaList infer(std::span<const Tensor> inputs) const = 0;

  // Kernels: fill `outputs` (already allocated from infer) from `inputs`. The default
  // eval_cuda runs the kernel core/cuda registered under the op's name (device_backend.h).
  virtual void eval_cpu(std::span<const Tensor> inputs, std::span<Tensor> outputs) const;
  virtual void eval_cuda(std::span<const Tensor> inputs, std::span<Tensor> outputs) const;

  // View ops: build the aliasing outputs directly.
  virtual TensorList make_views(std::span<const Tensor> inputs) const;

  // Backward: one gradient per input (undefined where needs_grad is false or the input is
  // not differentiable). Default: raise "[name] is not differentiable".
  virtual TensorList vjp(const VjpArgs& args) const;
  virtual bool is_differentiable() const { return true; }
  // Which tensors backward reads; autograd saves only these (memory, and in-place safety).
  virtual bool vjp_needs_inputs() const { return true; }
  virtual bool vjp_needs_outputs() const { return false; }
  // Per input, for ops that read only some inputs (e.g. the index of gather): the others are
  // not saved, so an in-place write to them later does not invalidate backward.
  virtual bool vjp_needs_input(size_t i) const { return vjp_needs_inputs(); }

  // Same computation (name and attributes): graph passes use this for CSE.
  virtual bool is_equivalent(const Op& other) const;
};

// CRTP base: supplies name() and clone() from `static constexpr std::string_view kName`
// and the copy constructor.
template <class Derived>
class OpImpl : public Op {
 public:
  std::string_view name() const override { return Derived::kName; }
  std::unique_ptr<Op> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// Helpers shared by many ops' infer().
void check_num_inputs(const Op& op, std::span<const Tensor> inputs, size_t n);
void check_same_device(const Op& op, std::span<const Tensor> inputs);
void check_floating(const Op& op, const Tensor& t);

}  // namespace ember
