#pragma once
// Op classes for activation.h. Attributes are plain members, listed by attributes() and
// read back by the Attrs constructor (for saved graphs).
#include <cmath>
#include <optional>

#include "core/ops/elementwise_base.h"
#include "core/ops/unary_ops.h"

namespace ember {

// Float-only activations: integer input is an error (as in PyTorch).
template <class Derived>
struct FloatActivationOp : UnaryOp<Derived> {
  static constexpr UnaryDomain kDomain = UnaryDomain::FloatOnly;
  template <class T> static constexpr bool supports() { return kFloatKernel<T>; }
};

struct ReluOp : UnaryOp<ReluOp> {
  static constexpr std::string_view kName = "relu";
  static constexpr UnaryDomain kDomain = UnaryDomain::SameAsInput;
  template <class T> T apply(T x) const { return x < T(0) ? T(0) : x; }  // NaN stays NaN
  bool vjp_needs_inputs() const override { return false; }
  bool vjp_needs_outputs() const override { return true; }
  TensorList vjp(const VjpArgs& a) const override;
};

struct GeluOp : FloatActivationOp<GeluOp> {
  static constexpr std::string_view kName = "gelu";
  bool tanh_approx = false;
  explicit GeluOp(bool tanh) : tanh_approx(tanh) {}
  explicit GeluOp(const Attrs& a) : tanh_approx(a.get<std::string>("approximate", kName) == "tanh") {}
  void attributes(Attrs& out) const override {
    out.set("approximate", std::string(tanh_approx ? "tanh" : "none"));
  }
  std::optional<cpu::VecCall> vec_call() const {
    if (!tanh_approx) return std::nullopt;  // erf form: scalar erf
    return cpu::VecCall{cpu::VecFn::GeluTanh};
  }
  template <class T> T apply(T x) const {
    if (tanh_approx) {
      const T k = T(0.7978845608028654);  // sqrt(2 / pi)
      return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
    }
    return T(0.5) * x * (T(1) + std::erf(x * T(0.7071067811865476)));
  }
  TensorList vjp(const VjpArgs& a) const override;
};

struct SiluOp : FloatActivationOp<SiluOp> {
  static constexpr std::string_view kName = "silu";
  std::optional<cpu::VecCall> vec_call() const { return cpu::VecCall{cpu::VecFn::Silu}; }
  template <class T> T apply(T x) const { return x / (T(1) + std::exp(-x)); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct SoftplusOp : FloatActivationOp<SoftplusOp> {
  static constexpr std::string_view kName = "softplus";
  double beta = 1, threshold = 20;
  SoftplusOp(double b, double t) : beta(b), threshold(t) {}
  explicit SoftplusOp(const Attrs& a)
      : beta(a.get<double>("beta", kName)), threshold(a.get<double>("threshold", kName)) {}
  void attributes(Attrs& out) const override {
    out.set("beta", beta);
    out.set("threshold", threshold);
  }
  std::optional<cpu::VecCall> vec_call() const {
    return cpu::VecCall{cpu::VecFn::Softplus, static_cast<float>(beta), static_cast<float>(threshold)};
  }
  template <class T> T apply(T x) const {
    const T bx = x * T(beta);
    return bx > T(threshold) ? x : std::log1p(std::exp(bx)) / T(beta);
  }
  TensorList vjp(const VjpArgs& a) const override;
};

struct LeakyReluOp : FloatActivationOp<LeakyReluOp> {
  static constexpr std::string_view kName = "leaky_relu";
  double slope = 0.01;
  explicit LeakyReluOp(double s) : slope(s) {}
  explicit LeakyReluOp(const Attrs& a) : slope(a.get<double>("negative_slope", kName)) {}
  void attributes(Attrs& out) const override { out.set("negative_slope", slope); }
  template <class T> T apply(T x) const { return x > T(0) ? x : x * T(slope); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct EluOp : FloatActivationOp<EluOp> {
  static constexpr std::string_view kName = "elu";
  double alpha = 1;
  explicit EluOp(double al) : alpha(al) {}
  explicit EluOp(const Attrs& a) : alpha(a.get<double>("alpha", kName)) {}
  void attributes(Attrs& out) const override { out.set("alpha", alpha); }
  std::optional<cpu::VecCall> vec_call() const {
    return cpu::VecCall{cpu::VecFn::Elu, static_cast<float>(alpha)};
  }
  template <class T> T apply(T x) const { return x > T(0) ? x : T(alpha) * std::expm1(x); }
  TensorList vjp(const VjpArgs& a) const override;
};

struct HardtanhOp : UnaryOp<HardtanhOp> {
  static constexpr std::string_view kName = "hardtanh";
  static constexpr UnaryDomain kDomain = UnaryDomain::SameAsInput;
  double lo = -1, hi = 1;
  HardtanhOp(double l, double h) : lo(l), hi(h) {}
  explicit HardtanhOp(const Attrs& a)
      : lo(a.get<double>("min_val", kName)), hi(a.get<double>("max_val", kName)) {}
  void attributes(Attrs& out) const override {
    out.set("min_val", lo);
    out.set("max_val", hi);
  }
  template <class T> T apply(T x) const {
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    return x < l ? l : (x > h ? h : x);
  }
  TensorList vjp(const VjpArgs& a) const override;
};

// clamp with number bounds (either may be absent). Tensor bounds compose `where`.
struct ClampOp : OpImpl<ClampOp> {
  static constexpr std::string_view kName = "clamp";
  std::optional<Scalar> lo, hi;
  ClampOp(std::optional<Scalar> l, std::optional<Scalar> h) : lo(l), hi(h) {}
  explicit ClampOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  bool is_elementwise() const override { return true; }
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
  TensorList vjp(const VjpArgs& a) const override;
};

}  // namespace ember
