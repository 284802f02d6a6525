#include "nn/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace ember::optim {

LRScheduler::LRScheduler(Optimizer& opt) : opt_(opt) {
  for (size_t g = 0; g < opt.num_groups(); ++g) base_lrs_.push_back(opt.option(g, "lr"));
}

void LRScheduler::init() {
  last_epoch_ = -1;
  step();
}

void LRScheduler::step() {
  ++last_epoch_;
  apply();
}

void LRScheduler::apply() {
  last_lr_.clear();
  for (size_t g = 0; g < opt_.num_groups(); ++g) {
    double lr = lr_at(g, last_epoch_);
    opt_.set_option(g, "lr", lr);
    last_lr_.push_back(lr);
  }
}

StepLR::StepLR(Optimizer& opt, int64_t step_size, double gamma)
    : LRScheduler(opt), step_size(step_size), gamma(gamma) {
  if (step_size <= 0) raise<ValueError>("[StepLR] step_size must be positive, got {}", step_size);
  init();
}
double StepLR::lr_at(size_t g, int64_t e) const {
  return base_lrs_[g] * std::pow(gamma, static_cast<double>(e / step_size));
}

MultiStepLR::MultiStepLR(Optimizer& opt, std::vector<int64_t> m, double gamma)
    : LRScheduler(opt), milestones(std::move(m)), gamma(gamma) {
  std::sort(milestones.begin(), milestones.end());
  init();
}
double MultiStepLR::lr_at(size_t g, int64_t e) const {
  auto passed = std::upper_bound(milestones.begin(), milestones.end(), e) - milestones.begin();
  return base_lrs_[g] * std::pow(gamma, static_cast<double>(passed));
}

ExponentialLR::ExponentialLR(Optimizer& opt, double gamma) : LRScheduler(opt), gamma(gamma) { init(); }
double ExponentialLR::lr_at(size_t g, int64_t e) const {
  return base_lrs_[g] * std::pow(gamma, static_cast<double>(e));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& opt, int64_t T_max, double eta_min)
    : LRScheduler(opt), T_max(T_max), eta_min(eta_min) {
  if (T_max <= 0) raise<ValueError>("[CosineAnnealingLR] T_max must be positive, got {}", T_max);
  init();
}
double CosineAnnealingLR::lr_at(size_t g, int64_t e) const {
  return eta_min + (base_lrs_[g] - eta_min) *
                       (1 + std::cos(std::numbers::pi * static_cast<double>(e) / T_max)) / 2;
}

LambdaLR::LambdaLR(Optimizer& opt, std::function<double(int64_t)> f)
    : LRScheduler(opt), lr_lambda(std::move(f)) {
  init();
}
double LambdaLR::lr_at(size_t g, int64_t e) const { return base_lrs_[g] * lr_lambda(e); }

LinearLR::LinearLR(Optimizer& opt, double s, double e, int64_t total)
    : LRScheduler(opt), start_factor(s), end_factor(e), total_iters(total) {
  if (s <= 0 || s > 1 || e < 0 || e > 1) {
    raise<ValueError>("[LinearLR] start_factor must be in (0, 1] and end_factor in [0, 1], got "
                      "{} and {}", s, e);
  }
  init();
}
double LinearLR::lr_at(size_t g, int64_t e) const {
  double t = total_iters > 0 ? std::min<double>(e, total_iters) / total_iters : 1.0;
  return base_lrs_[g] * (start_factor + (end_factor - start_factor) * t);
}

OneCycleLR::OneCycleLR(Optimizer& opt, double max_lr, int64_t total_steps, double pct_start,
                       std::string anneal, double div, double final_div, bool three_phase)
    : LRScheduler(opt), max_lr(max_lr), total_steps(total_steps), pct_start(pct_start),
      anneal_strategy(std::move(anneal)), div_factor(div), final_div_factor(final_div),
      three_phase(three_phase) {
  if (total_steps <= 0) raise<ValueError>("[OneCycleLR] total_steps must be positive, got {}", total_steps);
  if (pct_start < 0 || pct_start > 1) raise<ValueError>("[OneCycleLR] pct_start must be in [0, 1], got {}", pct_start);
  if (anneal_strategy != "cos" && anneal_strategy != "linear") {
    raise<ValueError>("[OneCycleLR] anneal_strategy must be 'cos' or 'linear', got '{}'", anneal_strategy);
  }
  init();
}

double OneCycleLR::lr_at(size_t, int64_t e) const {
  const double initial = max_lr / div_factor, min_lr = initial / final_div_factor;
  auto anneal = [&](double a, double b, double pct) {
    if (anneal_strategy == "cos") return b + (a - b) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
    return (b - a) * pct + a;
  };
  struct Phase { double end, start_lr, end_lr; };
  std::vector<Phase> phases;
  const double T = static_cast<double>(total_steps);
  if (three_phase) {
    phases = {{pct_start * T - 1, initial, max_lr}, {2 * pct_start * T - 2, max_lr, initial},
              {T - 1, initial, min_lr}};
  } else {
    phases = {{pct_start * T - 1, initial, max_lr}, {T - 1, max_lr, min_lr}};
  }
  double start = 0;
  for (size_t i = 0; i < phases.size(); ++i) {
    const Phase& p = phases[i];
    if (e <= p.end || i + 1 == phases.size()) {
      double pct = p.end > start ? (e - start) / (p.end - start) : 1.0;
      return anneal(p.start_lr, p.end_lr, std::min(pct, 1.0));
    }
    start = p.end;
  }
  return min_lr;
}

void OneCycleLR::step() {
  if (last_epoch_ + 1 > total_steps) {
    raise<ValueError>("[OneCycleLR] tried to step {} times; total_steps is {}", last_epoch_ + 2,
                      total_steps);
  }
  LRScheduler::step();
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& opt, std::string mode, double factor,
                                     int64_t patience, double threshold,
                                     std::string threshold_mode, int64_t cooldown, double min_lr,
                                     double eps)
    : opt_(opt), mode_(std::move(mode)), threshold_mode_(std::move(threshold_mode)),
      factor_(factor), threshold_(threshold), min_lr_(min_lr), eps_(eps), patience_(patience),
      cooldown_(cooldown) {
  if (factor >= 1.0) raise<ValueError>("[ReduceLROnPlateau] factor should be < 1.0, got {}", factor);
  if (mode_ != "min" && mode_ != "max") raise<ValueError>("[ReduceLROnPlateau] mode must be 'min' or 'max', got '{}'", mode_);
  if (threshold_mode_ != "rel" && threshold_mode_ != "abs") {
    raise<ValueError>("[ReduceLROnPlateau] threshold_mode must be 'rel' or 'abs', got '{}'", threshold_mode_);
  }
}

bool ReduceLROnPlateau::better(double a, double best) const {
  if (mode_ == "min") {
    return threshold_mode_ == "rel" ? a < best * (1 - threshold_) : a < best - threshold_;
  }
  return threshold_mode_ == "rel" ? a > best * (1 + threshold_) : a > best + threshold_;
}

void ReduceLROnPlateau::step(double metric) {
  if (!best_ || better(metric, *best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > patience_) {
    for (size_t g = 0; g < opt_.num_groups(); ++g) {
      double old = opt_.option(g, "lr");
      double next = std::max(old * factor_, min_lr_);
      if (old - next > eps_) opt_.set_option(g, "lr", next);
    }
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
}

std::vector<double> ReduceLROnPlateau::get_last_lr() const {
  std::vector<double> out;
  for (size_t g = 0; g < opt_.num_groups(); ++g) out.push_back(opt_.option(g, "lr"));
  return out;
}

}  // namespace ember::optim
