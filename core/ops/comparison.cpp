#include "core/ops/comparison.h"

#include <bit>
#include <cstdint>
#include <type_traits>

#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/comparison_ops.h"
#include "core/ops/grad_utils.h"

namespace ember {

EMBER_REGISTER_OP(EqOp);
EMBER_REGISTER_OP(NeOp);
EMBER_REGISTER_OP(LtOp);
EMBER_REGISTER_OP(LeOp);
EMBER_REGISTER_OP(GtOp);
EMBER_REGISTER_OP(GeOp);
EMBER_REGISTER_OP(LogicalAndOp);
EMBER_REGISTER_OP(LogicalOrOp);
EMBER_REGISTER_OP(LogicalXorOp);
EMBER_REGISTER_OP(BitwiseAndOp);
EMBER_REGISTER_OP(BitwiseOrOp);
EMBER_REGISTER_OP(BitwiseXorOp);
EMBER_REGISTER_OP(BitwiseNotOp);
EMBER_REGISTER_OP(IscloseOp);
EMBER_REGISTER_OP(WhereOp);

namespace {

// All elements of a freshly computed (contiguous) bool tensor are true.
bool all_true(const Tensor& t) {
  const bool* p = t.data<bool>();
  const int64_t n = t.numel();
  bool ok = true;
  for (int64_t i = 0; i < n; ++i) ok &= p[i];
  return ok;
}
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return dispatch_binary<EqOp>(a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return dispatch_binary<NeOp>(a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return dispatch_binary<LtOp>(a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return dispatch_binary<LeOp>(a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return dispatch_binary<GtOp>(a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return dispatch_binary<GeOp>(a, b); }
Tensor eq(const Tensor& a, const Scalar& b) { return eq(a, wrapped_scalar(b)); }
Tensor ne(const Tensor& a, const Scalar& b) { return ne(a, wrapped_scalar(b)); }
Tensor lt(const Tensor& a, const Scalar& b) { return lt(a, wrapped_scalar(b)); }
Tensor le(const Tensor& a, const Scalar& b) { return le(a, wrapped_scalar(b)); }
Tensor gt(const Tensor& a, const Scalar& b) { return gt(a, wrapped_scalar(b)); }
Tensor ge(const Tensor& a, const Scalar& b) { return ge(a, wrapped_scalar(b)); }

Tensor logical_and(const Tensor& a, const Tensor& b) { return dispatch_binary<LogicalAndOp>(a, b); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return dispatch_binary<LogicalOrOp>(a, b); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return dispatch_binary<LogicalXorOp>(a, b); }

Tensor bitwise_and(const Tensor& a, const Tensor& b) { return dispatch_binary<BitwiseAndOp>(a, b); }
Tensor bitwise_or(const Tensor& a, const Tensor& b) { return dispatch_binary<BitwiseOrOp>(a, b); }
Tensor bitwise_xor(const Tensor& a, const Tensor& b) { return dispatch_binary<BitwiseXorOp>(a, b); }
Tensor bitwise_not(const Tensor& t) {
  static const BitwiseNotOp op;
  const Tensor in[] = {t};
  return dispatch1(op, in);
}
Tensor& bitwise_and_(Tensor& a, const Tensor& b) { return dispatch_binary_<BitwiseAndOp>(a, b); }
Tensor& bitwise_or_(Tensor& a, const Tensor& b) { return dispatch_binary_<BitwiseOrOp>(a, b); }
Tensor& bitwise_xor_(Tensor& a, const Tensor& b) { return dispatch_binary_<BitwiseXorOp>(a, b); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  static const WhereOp op;
  const Tensor in[] = {cond, a, b};
  return dispatch1(op, in);
}
Tensor where(const Tensor& cond, const Tensor& a, const Scalar& b) {
  return where(cond, a, wrapped_scalar(b));
}
Tensor where(const Tensor& cond, const Scalar& a, const Tensor& b) {
  return where(cond, wrapped_scalar(a), b);
}
Tensor where(const Tensor& cond, const Scalar& a, const Scalar& b) {
  return where(cond, wrapped_scalar(a), wrapped_scalar(b));
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  if (rtol < 0 || atol < 0) {
    raise<ValueError>("[isclose] rtol and atol must be non-negative, got rtol={} atol={}", rtol,
                      atol);
  }
  IscloseOp op(rtol, atol, equal_nan);
  const Tensor in[] = {a, b};
  return dispatch1(op, in);
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return all_true(isclose(a, b, rtol, atol, equal_nan));
}

bool equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  return all_true(eq(a, b));
}

// ---- where ----

MetaList WhereOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 3);
  check_same_device(*this, in);
  if (in[0].dtype() != DType::Bool) {
    raise<TypeError>("[where] condition must be a bool tensor, got {}", dtype_name(in[0].dtype()));
  }
  Shape s = broadcast_shapes(broadcast_shapes(in[0].shape(), in[1].shape(), kName), in[2].shape(),
                             kName);
  Device dev = in[1].impl()->is_wrapped_number() ? in[0].device() : in[1].device();
  return {TensorMeta{std::move(s), result_type(in[1], in[2]), dev}};
}

void WhereOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  const DType d = out[0].dtype();
  const Tensor a = in[1].dtype() == d ? in[1] : contiguous_as(in[1], d);
  const Tensor b = in[2].dtype() == d ? in[2] : contiguous_as(in[2], d);
  EMBER_DISPATCH_ALL(d, kName, [&]<class T>() {
    using A = acc_t<T>;
    if constexpr (std::is_same_v<A, float> || std::is_same_v<A, double>) {
      // Branch-free select on the bits (NaNs pass through untouched): masks such as relu's
      // are random, and a branch per element mispredicts half the time.
      using U = std::conditional_t<std::is_same_v<A, float>, uint32_t, uint64_t>;
      cpu::map3<T, bool, T, T>(out[0], in[0], a, b, [](bool c, A x, A y) {
        const U m = U{0} - static_cast<U>(c);
        return std::bit_cast<A>((std::bit_cast<U>(x) & m) | (std::bit_cast<U>(y) & ~m));
      });
    } else {
      cpu::map3<T, bool, T, T>(out[0], in[0], a, b, [](bool c, A x, A y) { return c ? x : y; });
    }
  });
}

TensorList WhereOp::vjp(const VjpArgs& a) const {
  const Tensor& c = a.inputs[0];
  const Tensor& g = a.grads[0];
  return {Tensor(),
          a.needs_grad[1] ? reduce_grad(where(c, g, 0), a.input_meta[1]) : Tensor(),
          a.needs_grad[2] ? reduce_grad(where(c, 0, g), a.input_meta[2]) : Tensor()};
}

}  // namespace ember
