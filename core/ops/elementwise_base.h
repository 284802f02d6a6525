#pragma once
// Shared machinery for elementwise ops: UnaryOp and BinaryOp templates handle metadata
// inference (broadcasting, type promotion, clear errors) and the CPU dtype dispatch, so a
// concrete op only supplies its scalar function and its backward rule.
//
//   struct ExpOp : UnaryOp<ExpOp> {
//     static constexpr std::string_view kName = "exp";
//     static constexpr UnaryDomain kDomain = UnaryDomain::FloatOut;
//     template <class T> static T apply(T x) { return std::exp(x); }
//     TensorList vjp(const VjpArgs& a) const override;
//   };
#include "core/cpu/copy.h"
#include "core/dispatch.h"
#include "core/cpu/elementwise_loop.h"
#include "core/op.h"
#include "core/ops/promotion.h"
#include "core/op_registry.h"

namespace ember {

// Which dtypes a unary op accepts and what it returns.
enum class UnaryDomain {
  SameAsInput,   // numeric in, same dtype out (neg, abs, square); bool rejected
  FloatOut,      // ints promote to the default float (exp, sqrt, sigmoid)
  FloatOnly,     // floating input required (not used for ints: floor of int is identity)
  BoolOut,       // any input, bool out (isnan, logical_not)
  AllSame,       // any dtype including bool, same out (sign of bool, etc.)
};

template <class Derived>
class UnaryOp : public OpImpl<Derived> {
 public:
  bool is_elementwise() const override { return true; }

  MetaList infer(std::span<const Tensor> in) const override {
    check_num_inputs(*this, in, 1);
    return {TensorMeta{in[0].shape(), out_dtype(in[0].dtype()), in[0].device()}};
  }

  DType out_dtype(DType in) const {
    switch (Derived::kDomain) {
      case UnaryDomain::SameAsInput:
        if (in == DType::Bool) {
          raise<TypeError>("[{}] does not support bool tensors", Derived::kName);
        }
        return in;
      case UnaryDomain::FloatOut: return to_floating(in);
      case UnaryDomain::FloatOnly:
        if (!is_floating(in)) {
          raise<TypeError>("[{}] expected a floating-point tensor, got {}", Derived::kName,
                           dtype_name(in));
        }
        return in;
      case UnaryDomain::BoolOut: return DType::Bool;
      case UnaryDomain::AllSame: return in;
    }
    return in;
  }

  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override {
    const auto& self = static_cast<const Derived&>(*this);
    const Tensor x = Derived::kDomain == UnaryDomain::FloatOut || Derived::kDomain == UnaryDomain::AllSame
                         ? cast_input(in[0], out[0].dtype())
                         : in[0];
    // Ops with a vectorized float32 kernel name it in vec_call() (core/cpu/vec_math.h).
    if constexpr (requires { self.vec_call(); }) {
      if (const auto call = self.vec_call(); call && cpu::map1_vec_f32(out[0], x, *call)) return;
    }
    if constexpr (Derived::kDomain == UnaryDomain::BoolOut) {
      EMBER_DISPATCH_ALL(x.dtype(), Derived::kName, [&]<class T>() {
        cpu::map1<bool, T>(out[0], x, [&](acc_t<T> v) { return self.template apply<acc_t<T>>(v); });
      });
    } else {
      EMBER_DISPATCH_ALL(out[0].dtype(), Derived::kName, [&]<class T>() {
        if constexpr (Derived::template supports<T>()) {
          cpu::map1<T, T>(out[0], x, [&](acc_t<T> v) { return self.template apply<acc_t<T>>(v); });
        } else {
          raise<TypeError>("[{}] does not support dtype {}", Derived::kName,
                           dtype_name(out[0].dtype()));
        }
      });
    }
  }

  // Types apply<> may be instantiated with; ops restrict (e.g. no bool) by hiding this.
  template <class T>
  static constexpr bool supports() {
    return !std::is_same_v<T, bool>;
  }

 private:
  static Tensor cast_input(const Tensor& t, DType d) {
    return t.dtype() == d ? t : contiguous_as(t, d);
  }
};

// Broadcasting binary op. Derived supplies kName, `template <class T> T apply(T, T) const`
// (compute in the promoted dtype), and optionally `static DType out_dtype(DType promoted)`
// (comparisons return bool, true division returns float).
template <class Derived>
class BinaryOp : public OpImpl<Derived> {
 public:
  bool is_elementwise() const override { return true; }

  static DType compute_dtype(DType promoted) { return promoted; }
  static DType out_dtype(DType compute) { return compute; }

  MetaList infer(std::span<const Tensor> in) const override {
    check_num_inputs(*this, in, 2);
    check_same_device(*this, in);
    Shape shape = broadcast_shapes(in[0].shape(), in[1].shape(), Derived::kName);
    DType ct = Derived::compute_dtype(result_type(in[0], in[1]));
    // A host scalar (Python number, 0-dim CPU tensor) follows the other operand's device.
    const bool host_scalar0 = in[0].impl()->is_wrapped_number() ||
                              (in[0].device().is_cpu() && in[0].dim() == 0);
    Device dev = host_scalar0 ? in[1].device() : in[0].device();
    return {TensorMeta{std::move(shape), Derived::out_dtype(ct), dev}};
  }

  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override {
    const auto& self = static_cast<const Derived&>(*this);
    DType ct = Derived::compute_dtype(result_type(in[0], in[1]));
    Tensor a = in[0].dtype() == ct ? in[0] : contiguous_as(in[0], ct);
    Tensor b = in[1].dtype() == ct ? in[1] : contiguous_as(in[1], ct);
    EMBER_DISPATCH_ALL(ct, Derived::kName, [&]<class T>() {
      if constexpr (Derived::template supports<T>()) {
        using O = std::conditional_t<Derived::kBoolOut, bool, T>;
        cpu::map2<O, T, T>(out[0], a, b, [&](acc_t<T> x, acc_t<T> y) {
          return self.template apply<acc_t<T>>(x, y);
        });
      } else {
        raise<TypeError>("[{}] does not support dtype {}", Derived::kName, dtype_name(ct));
      }
    });
  }

  static constexpr bool kBoolOut = false;
  template <class T>
  static constexpr bool supports() {
    return !std::is_same_v<T, bool>;
  }
};

// Public functions of attribute-free binary ops: one static op instance per type, then
// dispatch (so autograd and tracing see the call).
template <class OpT>
Tensor dispatch_binary(const Tensor& a, const Tensor& b) {
  static const OpT op;
  const Tensor in[] = {a, b};
  return dispatch1(op, in);
}
template <class OpT>
Tensor& dispatch_binary_(Tensor& a, const Tensor& b) {
  static const OpT op;
  const Tensor in[] = {a, b};
  dispatch_inplace(op, in);
  return a;
}

}  // namespace ember
