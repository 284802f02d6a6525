// CUDA kernels of the elementwise ops, registered by op name. One generic rule picks the
// compute dtype, so no op class is named here: an op computes in its output dtype, except
// predicates and comparisons (bool out), which compute in the inputs' promoted dtype.
#include "core/cuda/tensor_args.h"
#include "core/device_backend.h"
#include "core/op.h"
#include "core/ops/promotion.h"

namespace ember::cuda {
namespace {

double attr_double(const Attrs& a, std::string_view name, std::string_view op) {
  return a.get<double>(name, op);
}

OpParams params_of(const Op& op, int code) {
  Attrs at;
  op.attributes(at);
  OpParams p;
  const std::string_view n = op.name();
  switch (code) {
    case kSoftplus:
      p.p0 = attr_double(at, "beta", n);
      p.p1 = attr_double(at, "threshold", n);
      break;
    case kLeakyRelu: p.p0 = attr_double(at, "negative_slope", n); break;
    case kElu: p.p0 = attr_double(at, "alpha", n); break;
    case kHardtanh:
      p.p0 = attr_double(at, "min_val", n);
      p.p1 = attr_double(at, "max_val", n);
      break;
    case kPowScalar: p.p0 = at.get<Scalar>("exponent", n).to_double(); break;
    case kClamp:
      if ((p.has_p0 = at.has("min"))) p.p0 = at.get<Scalar>("min", n).to_double();
      if ((p.has_p1 = at.has("max"))) p.p1 = at.get<Scalar>("max", n).to_double();
      break;
    default: break;
  }
  return p;
}

// Runs `launch` writing into out[0], through an int64 temporary when the output dtype has
// no kernel of its own (uint8, int32).
template <class F>
void with_kernel_output(const Tensor& out, F&& launch) {
  if (kernel_dtype(out.dtype()) == out.dtype()) return launch(out);
  Tensor tmp = Tensor::empty(out.shape(), kernel_dtype(out.dtype()), out.device());
  launch(tmp);
  copy_on_device(out, tmp);
}

template <int kCode>
void unary_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  const DType compute = kernel_dtype(o.dtype() == DType::Bool ? in[0].dtype() : o.dtype());
  const Tensor x = as_operand(in[0], o.device(), compute);
  const OpParams p = params_of(op, kCode);
  with_kernel_output(o, [&](const Tensor& dst) {
    launch_unary(kCode, p, make_args(dst.shape(), {&dst, &x}, op.name()), stream_ptr(dst));
  });
}

template <int kCode>
void binary_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  const DType compute = kernel_dtype(o.dtype() == DType::Bool ? result_type(in[0], in[1]) : o.dtype());
  const Tensor a = as_operand(in[0], o.device(), compute);
  const Tensor b = as_operand(in[1], o.device(), compute);
  OpParams p;
  if (kCode == kIsclose) {
    Attrs at;
    op.attributes(at);
    p.p0 = at.get<double>("rtol", op.name());
    p.p1 = at.get<double>("atol", op.name());
    p.has_p0 = at.get<bool>("equal_nan", op.name());
  }
  with_kernel_output(o, [&](const Tensor& dst) {
    launch_binary(kCode, p, make_args(dst.shape(), {&dst, &a, &b}, op.name()), stream_ptr(dst));
  });
}

void where_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& o = out[0];
  const Tensor c = as_operand(in[0], o.device(), DType::Bool);
  const Tensor a = as_operand(in[1], o.device(), o.dtype());
  const Tensor b = as_operand(in[2], o.device(), o.dtype());
  launch_where(make_args(o.shape(), {&o, &c, &a, &b}, "where"), stream_ptr(o));
}

// cast, clone, copy (copy_'s functional form: values of input 1 into input 0's shape).
void copy_kernel(const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
  const Tensor& src = in.size() == 2 ? in[1] : in[0];
  copy_on_device(out[0], as_operand(src, out[0].device(), src.dtype()));
}

// full, full_like: the value is an attribute.
void fill_kernel(const Op& op, std::span<const Tensor>, std::span<Tensor> out) {
  Attrs at;
  op.attributes(at);
  cuda_backend()->fill(out[0], at.get<Scalar>("value", op.name()));
}

struct Registrar {
  Registrar() {
#define U_(name, code) register_cuda_kernel(name, &unary_kernel<code>)
    U_("neg", kNeg); U_("abs", kAbs); U_("square", kSquare); U_("sign", kSign);
    U_("floor", kFloor); U_("ceil", kCeil); U_("round", kRound); U_("trunc", kTrunc);
    U_("exp", kExp); U_("expm1", kExpm1); U_("log", kLog); U_("log1p", kLog1p);
    U_("sqrt", kSqrt); U_("rsqrt", kRsqrt); U_("reciprocal", kReciprocal);
    U_("sin", kSin); U_("cos", kCos); U_("tanh", kTanh); U_("sigmoid", kSigmoid);
    U_("erf", kErf); U_("isnan", kIsnan); U_("isinf", kIsinf); U_("isfinite", kIsfinite);
    U_("logical_not", kLogicalNot); U_("relu", kRelu); U_("silu", kSilu);
    U_("softplus", kSoftplus); U_("leaky_relu", kLeakyRelu); U_("elu", kElu);
    U_("hardtanh", kHardtanh); U_("bitwise_not", kBitwiseNot); U_("pow_scalar", kPowScalar);
    U_("clamp", kClamp);
#undef U_
    register_cuda_kernel("gelu", [](const Op& op, std::span<const Tensor> in, std::span<Tensor> out) {
      Attrs at;
      op.attributes(at);
      if (at.get<std::string>("approximate", op.name()) == "tanh") {
        unary_kernel<kGeluTanh>(op, in, out);
      } else {
        unary_kernel<kGelu>(op, in, out);
      }
    });
#define B_(name, code) register_cuda_kernel(name, &binary_kernel<code>)
    B_("add", kAdd); B_("sub", kSub); B_("mul", kMul); B_("div", kDiv);
    B_("floor_divide", kFloorDivide); B_("trunc_divide", kTruncDivide);
    B_("remainder", kRemainder); B_("fmod", kFmod); B_("pow", kPow);
    B_("maximum", kMaximum); B_("minimum", kMinimum); B_("eq", kEq); B_("ne", kNe);
    B_("lt", kLt); B_("le", kLe); B_("gt", kGt); B_("ge", kGe);
    B_("logical_and", kLogicalAnd); B_("logical_or", kLogicalOr);
    B_("logical_xor", kLogicalXor); B_("bitwise_and", kBitwiseAnd);
    B_("bitwise_or", kBitwiseOr); B_("bitwise_xor", kBitwiseXor); B_("isclose", kIsclose);
    B_("atan2", kAtan2);
#undef B_
    register_cuda_kernel("tie_mask", &binary_kernel<kEq>);  // (x == m) in x's dtype
    register_cuda_kernel("where", &where_kernel);
    register_cuda_kernel("cast", &copy_kernel);
    register_cuda_kernel("clone", &copy_kernel);
    register_cuda_kernel("copy", &copy_kernel);
    register_cuda_kernel("full", &fill_kernel);
    register_cuda_kernel("full_like", &fill_kernel);
  }
};
const Registrar registrar;

}  // namespace
}  // namespace ember::cuda
