#include "nn/optim/optimizers.h"

#include "core/ops.h"
#include "core/ops/optim_update.h"
#include "eager/autograd.h"

namespace ember::optim {
namespace {

void check_nonneg(const std::string& opt, const char* what, double v) {
  if (v < 0) raise<ValueError>("[{}] invalid {} value: {} (must be >= 0)", opt, what, v);
}

void check_beta(const std::string& opt, const char* what, double v) {
  if (v < 0 || v >= 1) raise<ValueError>("[{}] invalid {} value: {} (must be in [0, 1))", opt, what, v);
}

// The gradient to apply: .grad, negated under maximize, plus L2 weight decay.
Tensor effective_grad(const Tensor& p, const Tensor& g, bool maximize, const Tensor& wd, double wd_value) {
  Tensor r = maximize ? neg(g) : g;
  if (wd_value != 0) r = add(r, mul(p, wd));
  return r;
}

}  // namespace

std::vector<ParamGroup> single_group(std::vector<Tensor> params) {
  return {ParamGroup{std::move(params), {}}};
}

// ---- SGD
SGD::SGD(std::vector<ParamGroup> groups, double lr, double momentum, double dampening,
         double weight_decay, bool nesterov, bool maximize, bool fused)
    : Optimizer("SGD", std::move(groups),
                {{"lr", lr}, {"momentum", momentum}, {"dampening", dampening},
                 {"weight_decay", weight_decay}, {"nesterov", nesterov ? 1.0 : 0.0},
                 {"maximize", maximize ? 1.0 : 0.0}, {"fused", fused ? 1.0 : 0.0}}) {
  check_nonneg("SGD", "learning rate", lr);
  check_nonneg("SGD", "momentum", momentum);
  check_nonneg("SGD", "weight_decay", weight_decay);
  if (nesterov && (momentum <= 0 || dampening != 0)) {
    raise<ValueError>("[SGD] nesterov momentum requires a momentum and zero dampening");
  }
}

void SGD::step() {
  NoGradGuard ng;
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const double momentum = option(gi, "momentum"), wd = option(gi, "weight_decay");
    const bool nesterov = option(gi, "nesterov") != 0, maximize = option(gi, "maximize") != 0;
    const bool fused = option(gi, "fused") != 0;
    const Tensor& lr = option_tensor(gi, "lr");
    const Tensor& mom = option_tensor(gi, "momentum");
    // Per-group scalars, computed once per step with ops (a traced step recomputes them).
    Tensor one, neg_lr, one_minus_dampening;
    if (fused) {
      one = scalar_tensor(1.0);
      neg_lr = neg(lr);
      if (momentum != 0) one_minus_dampening = sub(one, option_tensor(gi, "dampening"));
    }
    for (const Tensor& p : params(gi)) {
      Tensor g = grad_of(p);
      if (!g.defined()) continue;
      Tensor d = effective_grad(p, g, maximize, option_tensor(gi, "weight_decay"), wd);
      if (momentum != 0) {
        auto& st = state_of(p);
        auto it = st.find("momentum_buffer");
        if (it == st.end()) {
          st["momentum_buffer"] = clone(d);
        } else if (fused) {
          axpby_(it->second, d, mom, one_minus_dampening);
        } else {
          Tensor& buf = it->second;
          mul_(buf, mom);
          add_(buf, mul(d, sub(scalar_tensor(1.0), option_tensor(gi, "dampening"))));
        }
        const Tensor& buf = st["momentum_buffer"];
        if (nesterov) {
          d = fused ? axpby(d, buf, one, mom) : add(d, mul(buf, mom));
        } else {
          d = buf;
        }
      }
      Tensor pv = p;
      if (fused) {
        axpby_(pv, d, one, neg_lr);
      } else {
        sub_(pv, mul(d, lr));
      }
    }
  }
}

// ---- Adam / AdamW
Adam::Adam(std::string name, std::vector<ParamGroup> groups, Options defaults)
    : Optimizer(std::move(name), std::move(groups), std::move(defaults)) {}

Adam::Adam(std::vector<ParamGroup> groups, double lr, double beta1, double beta2, double eps,
           double weight_decay, bool amsgrad, bool maximize, bool decoupled, bool fused)
    : Optimizer(decoupled ? "AdamW" : "Adam", std::move(groups),
                {{"lr", lr}, {"beta1", beta1}, {"beta2", beta2}, {"eps", eps},
                 {"weight_decay", weight_decay}, {"amsgrad", amsgrad ? 1.0 : 0.0},
                 {"maximize", maximize ? 1.0 : 0.0}, {"decoupled", decoupled ? 1.0 : 0.0},
                 {"fused", fused ? 1.0 : 0.0}}) {
  check_nonneg(name(), "learning rate", lr);
  check_nonneg(name(), "epsilon", eps);
  check_beta(name(), "beta parameter at index 0", beta1);
  check_beta(name(), "beta parameter at index 1", beta2);
  check_nonneg(name(), "weight_decay", weight_decay);
}

AdamW::AdamW(std::vector<ParamGroup> groups, double lr, double beta1, double beta2, double eps,
             double weight_decay, bool amsgrad, bool maximize, bool fused)
    : Adam(std::move(groups), lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, true, fused) {}

void Adam::step() {
  NoGradGuard ng;
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const bool amsgrad = option(gi, "amsgrad") != 0, maximize = option(gi, "maximize") != 0;
    const bool decoupled = option(gi, "decoupled") != 0;
    const bool fused = option(gi, "fused") != 0;
    const double wd = option(gi, "weight_decay");
    const Tensor& lr = option_tensor(gi, "lr");
    const Tensor& b1 = option_tensor(gi, "beta1");
    const Tensor& b2 = option_tensor(gi, "beta2");
    const Tensor& eps = option_tensor(gi, "eps");
    const Tensor& wd_t = option_tensor(gi, "weight_decay");
    const Tensor one = scalar_tensor(1.0);
    // Per-group scalars for the fused path, once per step (ops, so traced steps follow them).
    Tensor one_minus_b1, one_minus_b2;
    if (fused) {
      one_minus_b1 = sub(one, b1);
      one_minus_b2 = sub(one, b2);
    }
    for (const Tensor& p : params(gi)) {
      Tensor g = grad_of(p);
      if (!g.defined()) continue;
      Tensor pv = p;
      if (maximize) g = neg(g);
      if (wd != 0) {
        if (!decoupled) {
          g = add(g, mul(p, wd_t));
        } else if (!fused) {
          mul_(pv, sub(one, mul(lr, wd_t)));
        }  // fused: adam_update_ applies the decoupled decay
      }
      auto& st = state_of(p);
      if (!st.count("step")) {
        // Fused: the step count lives with the parameter, so on CUDA the update reads it on
        // the device and a captured CUDA graph replays the current bias correction.
        st["step"] = zeros({}, DType::Float64, fused ? p.device() : kCPU);
        st["exp_avg"] = zeros_like(p);
        st["exp_avg_sq"] = zeros_like(p);
        if (amsgrad) st["max_exp_avg_sq"] = zeros_like(p);
      }
      Tensor& step_t = st["step"];
      add_(step_t, one);
      Tensor& m = st["exp_avg"];
      Tensor& v = st["exp_avg_sq"];
      if (fused) {
        axpby_(m, g, b1, one_minus_b1);
        axpby_(v, g, b2, one_minus_b2, /*square_x=*/true);
      } else {
        mul_(m, b1);
        add_(m, mul(g, sub(one, b1)));
        mul_(v, b2);
        add_(v, mul(mul(g, g), sub(one, b2)));
      }
      Tensor second = v;
      if (amsgrad) {
        Tensor& vmax = st["max_exp_avg_sq"];
        copy_(vmax, maximum(vmax, v));
        second = vmax;
      }
      if (fused) {
        adam_update_(pv, m, second, step_t, lr, b1, b2, eps, wd_t, decoupled && wd != 0);
      } else {
        Tensor bc1 = sub(one, pow(b1, step_t));
        Tensor bc2_sqrt = sqrt(sub(one, pow(b2, step_t)));
        Tensor denom = add(div(sqrt(second), bc2_sqrt), eps);
        sub_(pv, mul(div(m, denom), div(lr, bc1)));
      }
    }
  }
}

// ---- RMSprop
RMSprop::RMSprop(std::vector<ParamGroup> groups, double lr, double alpha, double eps,
                 double weight_decay, double momentum, bool centered, bool maximize)
    : Optimizer("RMSprop", std::move(groups),
                {{"lr", lr}, {"alpha", alpha}, {"eps", eps}, {"weight_decay", weight_decay},
                 {"momentum", momentum}, {"centered", centered ? 1.0 : 0.0},
                 {"maximize", maximize ? 1.0 : 0.0}}) {
  check_nonneg("RMSprop", "learning rate", lr);
  check_nonneg("RMSprop", "epsilon", eps);
  check_nonneg("RMSprop", "alpha", alpha);
  check_nonneg("RMSprop", "momentum", momentum);
}

void RMSprop::step() {
  NoGradGuard ng;
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const bool centered = option(gi, "centered") != 0, maximize = option(gi, "maximize") != 0;
    const double momentum = option(gi, "momentum");
    const Tensor& alpha = option_tensor(gi, "alpha");
    const Tensor one = scalar_tensor(1.0);
    for (const Tensor& p : params(gi)) {
      Tensor g = grad_of(p);
      if (!g.defined()) continue;
      g = effective_grad(p, g, maximize, option_tensor(gi, "weight_decay"), option(gi, "weight_decay"));
      auto& st = state_of(p);
      if (!st.count("step")) {
        st["step"] = zeros({}, DType::Float64);
        st["square_avg"] = zeros_like(p);
        if (momentum > 0) st["momentum_buffer"] = zeros_like(p);
        if (centered) st["grad_avg"] = zeros_like(p);
      }
      add_(st["step"], one);
      Tensor& sq = st["square_avg"];
      mul_(sq, alpha);
      add_(sq, mul(mul(g, g), sub(one, alpha)));
      Tensor avg;
      if (centered) {
        Tensor& ga = st["grad_avg"];
        mul_(ga, alpha);
        add_(ga, mul(g, sub(one, alpha)));
        avg = add(sqrt(sub(sq, mul(ga, ga))), option_tensor(gi, "eps"));
      } else {
        avg = add(sqrt(sq), option_tensor(gi, "eps"));
      }
      Tensor pv = p;
      if (momentum > 0) {
        Tensor& buf = st["momentum_buffer"];
        mul_(buf, option_tensor(gi, "momentum"));
        add_(buf, div(g, avg));
        sub_(pv, mul(buf, option_tensor(gi, "lr")));
      } else {
        sub_(pv, mul(div(g, avg), option_tensor(gi, "lr")));
      }
    }
  }
}

// ---- Adagrad
Adagrad::Adagrad(std::vector<ParamGroup> groups, double lr, double lr_decay, double weight_decay,
                 double initial_accumulator_value, double eps, bool maximize)
    : Optimizer("Adagrad", std::move(groups),
                {{"lr", lr}, {"lr_decay", lr_decay}, {"weight_decay", weight_decay},
                 {"initial_accumulator_value", initial_accumulator_value}, {"eps", eps},
                 {"maximize", maximize ? 1.0 : 0.0}}) {
  check_nonneg("Adagrad", "learning rate", lr);
  check_nonneg("Adagrad", "lr_decay", lr_decay);
  check_nonneg("Adagrad", "initial_accumulator_value", initial_accumulator_value);
}

void Adagrad::step() {
  NoGradGuard ng;
  for (size_t gi = 0; gi < num_groups(); ++gi) {
    const bool maximize = option(gi, "maximize") != 0;
    const Tensor one = scalar_tensor(1.0);
    for (const Tensor& p : params(gi)) {
      Tensor g = grad_of(p);
      if (!g.defined()) continue;
      g = effective_grad(p, g, maximize, option_tensor(gi, "weight_decay"), option(gi, "weight_decay"));
      auto& st = state_of(p);
      if (!st.count("step")) {
        st["step"] = zeros({}, DType::Float64);
        st["sum"] = full_like(p, option(gi, "initial_accumulator_value"));
      }
      Tensor& step_t = st["step"];
      add_(step_t, one);
      Tensor clr = div(option_tensor(gi, "lr"),
                       add(one, mul(sub(step_t, one), option_tensor(gi, "lr_decay"))));
      Tensor& s = st["sum"];
      add_(s, mul(g, g));
      Tensor pv = p;
      sub_(pv, mul(div(g, add(sqrt(s), option_tensor(gi, "eps"))), clr));
    }
  }
}

}  // namespace ember::optim
