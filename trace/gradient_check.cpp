#include "trace/gradient_check.h"

#include <algorithm>
#include <cmath>

#include "core/cpu/copy.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/random/generator.h"
#include "eager/autograd.h"

namespace ember::trace {
namespace {

// How far `traced` is from `eager`: the largest absolute difference and whether any element
// is beyond atol + rtol * |eager|; or a mismatch of shape/dtype as text.
struct Difference {
  std::string mismatch;  // shape or dtype; empty if they agree
  double max_abs = 0;
  bool beyond = false;
  std::string str() const {
    return mismatch.empty() ? fmt::format("max difference {:.3g}", max_abs) : mismatch;
  }
};

Difference compare(const Tensor& eager, const Tensor& traced, double rtol, double atol) {
  Difference d;
  if (eager.shape() != traced.shape()) {
    d.mismatch = fmt::format("shape {} eagerly vs {} traced", shape_str(eager.shape()),
                             shape_str(traced.shape()));
  } else if (eager.dtype() != traced.dtype()) {
    d.mismatch = fmt::format("dtype {} eagerly vs {} traced", dtype_name(eager.dtype()),
                             dtype_name(traced.dtype()));
  }
  if (!d.mismatch.empty()) {
    d.beyond = true;
    return d;
  }
  for (int64_t i = 0; i < eager.numel(); ++i) {
    double x = read_as_double(eager, i), y = read_as_double(traced, i);
    if (std::isnan(x) && std::isnan(y)) continue;
    double diff = std::isnan(x) || std::isnan(y) ? INFINITY : std::abs(x - y);
    d.max_abs = std::max(d.max_abs, diff);
    if (diff > atol + rtol * std::abs(x)) d.beyond = true;
  }
  return d;
}

// Captured state and the random generator, put back after each run.
class StateSnapshot {
 public:
  explicit StateSnapshot(const std::vector<Tensor>& state)
      : state_(state), rng_(default_generator().get_state()) {
    for (const Tensor& t : state) values_.push_back(clone_raw(t));
  }
  void restore() const {
    for (size_t i = 0; i < state_.size(); ++i) copy_into(state_[i], values_[i]);
    default_generator().set_state(rng_);
  }

 private:
  const std::vector<Tensor>& state_;
  std::vector<Tensor> values_;
  std::vector<uint8_t> rng_;
};

bool differentiable(const Tensor& t) {
  return t.defined() && t.requires_grad() && is_floating(t.dtype());
}

// Leaf copies of the arguments: those that require grad stay differentiable, and the
// caller's arguments get no history from the check.
std::vector<Tensor> leaf_copies(const std::vector<Tensor>& args) {
  std::vector<Tensor> copies;
  for (const Tensor& a : args) {
    if (!differentiable(a)) {
      copies.push_back(a);
      continue;
    }
    Tensor c = clone_raw(a);
    set_requires_grad(c, true);
    copies.push_back(c);
  }
  return copies;
}

}  // namespace

bool check_gradients(const GradientCheck& check, const std::vector<Tensor>& args) {
  StateSnapshot snapshot(check.state);
  std::vector<Tensor> eager_args = leaf_copies(args), traced_args = leaf_copies(args);
  std::vector<Tensor> eager = check.eager(eager_args);
  std::vector<Tensor> eager_state;
  for (const Tensor& t : check.state) eager_state.push_back(clone_raw(t));
  snapshot.restore();
  std::optional<std::vector<Tensor>> replayed = check.traced(traced_args);
  if (!replayed) {
    snapshot.restore();
    return false;
  }
  const std::vector<Tensor>& traced = *replayed;
  std::vector<std::string> problems;
  auto note = [&](const std::string& what, const Difference& d) {
    if (d.beyond) problems.push_back(what + ": " + d.str());
  };
  if (eager.size() != traced.size()) {
    problems.push_back(fmt::format("{} outputs eagerly, {} traced", eager.size(), traced.size()));
  }
  const size_t n = std::min(eager.size(), traced.size());
  for (size_t i = 0; i < n; ++i) {
    note(fmt::format("output {}", i), compare(eager[i], traced[i], check.rtol, check.atol));
  }
  for (size_t i = 0; i < check.state.size(); ++i) {
    const std::string& name = i < check.state_names.size() ? check.state_names[i] : "";
    note(fmt::format("captured state {}{}", i, name.empty() ? "" : " (" + name + ")"),
         compare(eager_state[i], check.state[i], check.rtol, check.atol));
  }
  // Backward through both from the same (non-uniform, fixed) output gradients.
  std::vector<Tensor> eager_roots, traced_roots, grad_outputs;
  for (size_t i = 0; i < n; ++i) {
    if (differentiable(eager[i]) != differentiable(traced[i])) {
      problems.push_back(fmt::format("output {} {} eagerly but {} traced", i,
                                     differentiable(eager[i]) ? "requires grad" : "does not",
                                     differentiable(traced[i]) ? "does" : "does not"));
      continue;
    }
    if (!differentiable(eager[i]) || eager[i].shape() != traced[i].shape()) continue;
    Generator gen(1234 + i);
    NoGradGuard no_grad;
    grad_outputs.push_back(uniform(eager[i].shape(), 0.5, 1.5, eager[i].dtype(),
                                   eager[i].device(), &gen));
    eager_roots.push_back(eager[i]);
    traced_roots.push_back(traced[i]);
  }
  std::vector<Tensor> eager_wrt, traced_wrt;
  std::vector<std::string> wrt_names;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!differentiable(args[i])) continue;
    eager_wrt.push_back(eager_args[i]);
    traced_wrt.push_back(traced_args[i]);
    wrt_names.push_back(fmt::format("argument {}", i));
  }
  for (size_t i = 0; i < check.state.size(); ++i) {
    if (!differentiable(check.state[i])) continue;
    eager_wrt.push_back(check.state[i]);
    traced_wrt.push_back(check.state[i]);
    const std::string& name = i < check.state_names.size() ? check.state_names[i] : "";
    wrt_names.push_back(fmt::format("captured tensor {}{} {}", i,
                                    name.empty() ? "" : " (" + name + ")",
                                    shape_str(check.state[i].shape())));
  }
  if (!eager_roots.empty() && !eager_wrt.empty()) {
    std::vector<Tensor> eg = grad(eager_roots, eager_wrt, grad_outputs, false, false, true);
    std::vector<Tensor> tg = grad(traced_roots, traced_wrt, grad_outputs, false, false, true);
    for (size_t k = 0; k < eg.size(); ++k) {
      if (!eg[k].defined() && !tg[k].defined()) continue;
      const Tensor& like = eg[k].defined() ? eg[k] : tg[k];
      Tensor e = eg[k].defined() ? eg[k] : zeros(like.shape(), like.dtype(), like.device());
      Tensor t = tg[k].defined() ? tg[k] : zeros(like.shape(), like.dtype(), like.device());
      note("gradient of " + wrt_names[k], compare(e, t, check.rtol, check.atol));
    }
  }
  snapshot.restore();
  if (!problems.empty()) {
    raise<Error>("[{} check] the traced graph (with gradients) disagrees with eager "
                 "execution: {}", check.name, fmt::join(problems, "; "));
  }
  return true;
}

}  // namespace ember::trace
