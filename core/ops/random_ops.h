#pragma once
// Op classes of the random family. Every random op is a Source op that is not
// deterministic (never CSE'd or constant-folded) and records the Philox stream it drew from
// as attributes "seed" and "offset": re-running the op reproduces its values exactly, and
// a graph replay that wants fresh numbers swaps in a new stream (Generator::next_stream).
//
// Output metadata comes either from attributes (rand(shape), no inputs) or, when the op has
// inputs, from input 0 at run time: its shape and device, and its dtype unless the `dtype`
// attribute says otherwise. The *_like functions and the in-place initializers (uniform_,
// normal_, ...) use that second form; in-place calls set `inplace`, which makes the op
// differentiable with a zero gradient, so a tensor overwritten with noise drops its history.
#include "core/op.h"
#include "core/op_registry.h"
#include "core/ops/creation.h"
#include "core/random/generator.h"
#include "core/random/philox.h"

namespace ember {

struct RandomSpec {
  Shape shape;                 // used when the op has no inputs
  std::optional<DType> dtype;  // nullopt: input 0's dtype (or the op's default)
  Device device;
  random::PhiloxStream stream;
  // The explicit generator the stream came from (`generator=`), kept alive so a traced
  // graph's replays draw from it (trace::with_fresh_stream); null for the thread's default
  // generator, and for a generator not owned by a shared_ptr. Not an attribute.
  std::shared_ptr<Generator> generator;
  bool inplace = false;
  // The public function that built the op ("rand", "uniform_"), for error messages only;
  // not an attribute. Empty: the op's own name.
  std::string_view api;

  RandomSpec() = default;
  RandomSpec(Shape s, std::optional<DType> d, Device dev)
      : shape(std::move(s)), dtype(d), device(dev) {}
  RandomSpec(const Attrs& a, std::string_view op);
  void attributes(Attrs& out) const;
  // Output metadata from the attributes or input 0 (see above); `op` names errors.
  TensorMeta meta(std::span<const Tensor> in, DType default_dtype, std::string_view op) const;
  std::string_view name_or(std::string_view op) const { return api.empty() ? op : api; }
};

// What every random op holds, reachable from an Op& by dynamic_cast.
struct RandomOpBase {
  RandomSpec spec;
  RandomOpBase() = default;
  explicit RandomOpBase(RandomSpec s) : spec(std::move(s)) {}
  virtual ~RandomOpBase() = default;
};

template <class Derived>
struct RandomOp : OpImpl<Derived>, RandomOpBase {
  RandomOp() = default;
  explicit RandomOp(RandomSpec s) : RandomOpBase(std::move(s)) {}
  OpKind kind() const override { return OpKind::Source; }
  bool is_deterministic() const override { return false; }
  bool is_differentiable() const override { return spec.inplace; }
  bool vjp_needs_inputs() const override { return false; }
  // In-place forms: the overwritten tensor's old values do not matter.
  TensorList vjp(const VjpArgs& a) const override {
    TensorList g(a.input_meta.size());
    const TensorMeta& m = a.input_meta[0];
    if (a.needs_grad[0]) g[0] = zeros(m.shape, m.dtype, m.device);
    return g;
  }
};

// Uniform on [low, high): rand, rand_like, uniform_. Floating dtypes.
struct UniformOp : RandomOp<UniformOp> {
  static constexpr std::string_view kName = "uniform";
  double low = 0, high = 1;
  UniformOp(RandomSpec s, double lo, double hi) : RandomOp(std::move(s)), low(lo), high(hi) {}
  explicit UniformOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// Gaussian N(mean, std^2): randn, randn_like, normal, normal_. Floating dtypes.
struct NormalOp : RandomOp<NormalOp> {
  static constexpr std::string_view kName = "normal";
  double mean = 0, std = 1;
  NormalOp(RandomSpec s, double m, double sd) : RandomOp(std::move(s)), mean(m), std(sd) {}
  explicit NormalOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// Exponential with rate lambd: exponential_. Floating dtypes.
struct ExponentialOp : RandomOp<ExponentialOp> {
  static constexpr std::string_view kName = "exponential";
  double lambd = 1;
  ExponentialOp(RandomSpec s, double l) : RandomOp(std::move(s)), lambd(l) {}
  explicit ExponentialOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// N(mean, std^2) conditioned on [a, b] (inverse CDF, so no rejection loop): trunc_normal_.
struct TruncatedNormalOp : RandomOp<TruncatedNormalOp> {
  static constexpr std::string_view kName = "truncated_normal";
  double mean = 0, std = 1, a = -2, b = 2;
  TruncatedNormalOp(RandomSpec s, double m, double sd, double lo, double hi)
      : RandomOp(std::move(s)), mean(m), std(sd), a(lo), b(hi) {}
  explicit TruncatedNormalOp(const Attrs& at);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// Integers uniform on [low, high): randint, randint_like, random_. Any dtype.
struct RandintOp : RandomOp<RandintOp> {
  static constexpr std::string_view kName = "randint";
  int64_t low = 0, high = 1;
  RandintOp(RandomSpec s, int64_t lo, int64_t hi) : RandomOp(std::move(s)), low(lo), high(hi) {}
  explicit RandintOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// 1 with probability p, else 0. Inputs: (probs) for bernoulli(probs); (self) with the `p`
// attribute for bernoulli(self, p) / bernoulli_(self, p); (self, probs) for
// bernoulli_(self, probs), probs broadcast to self's shape.
struct BernoulliOp : RandomOp<BernoulliOp> {
  static constexpr std::string_view kName = "bernoulli";
  std::optional<double> p;
  BernoulliOp(RandomSpec s, std::optional<double> prob) : RandomOp(std::move(s)), p(prob) {}
  explicit BernoulliOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// A random permutation of 0..n-1 (Fisher-Yates; draw i depends only on the stream and i).
struct RandpermOp : RandomOp<RandpermOp> {
  static constexpr std::string_view kName = "randperm";
  int64_t n = 0;
  RandpermOp(RandomSpec s, int64_t count) : RandomOp(std::move(s)), n(count) {}
  explicit RandpermOp(const Attrs& a);
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// Category indices drawn from each row of a (1-D or 2-D) tensor of non-negative weights.
struct MultinomialOp : RandomOp<MultinomialOp> {
  static constexpr std::string_view kName = "multinomial";
  int64_t num_samples = 1;
  bool replacement = false;
  MultinomialOp(RandomSpec s, int64_t k, bool repl)
      : RandomOp(std::move(s)), num_samples(k), replacement(repl) {}
  explicit MultinomialOp(const Attrs& a);
  bool is_differentiable() const override { return false; }
  void attributes(Attrs& out) const override;
  MetaList infer(std::span<const Tensor> in) const override;
  void eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const override;
};

// For graph replay: a copy of a random op (one with "seed" and "offset" attributes) drawing
// from the next stream of `gen` instead of the one it recorded; nullptr for other ops.
std::unique_ptr<Op> with_next_stream(const Op& op, Generator& gen);

// The integers dtype d holds exactly, [lo, hi], and the check randint-like ops make with it
// ("[op] expected low < high ..." / "... out of bounds for dtype ...").
std::pair<int64_t, int64_t> exact_int_range(DType d);
void check_int_range(int64_t low, int64_t high, DType d, std::string_view op);

}  // namespace ember
