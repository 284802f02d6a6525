#pragma once
// Learning-rate schedules (torch.optim.lr_scheduler). Each computes the lr of every param
// group in closed form from the step count and writes it with Optimizer::set_option, which
// updates the value a traced step reads: schedules never cause a retrace.
#include <functional>
#include <optional>
#include <vector>

#include "nn/optim/optimizer.h"

namespace ember::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& opt);
  virtual ~LRScheduler() = default;
  // Advances one epoch (or batch, for per-step schedules) and sets the new lrs.
  virtual void step();
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  void set_last_epoch(int64_t e) { last_epoch_ = e; }
  // For resuming and for schedules sharing one optimizer (PyTorch's initial_lr): the lrs the
  // schedule scales, and the last lrs it set.
  void set_base_lrs(std::vector<double> lrs) { base_lrs_ = std::move(lrs); }
  void set_last_lr(std::vector<double> lrs) { last_lr_ = std::move(lrs); }

 protected:
  virtual double lr_at(size_t group, int64_t epoch) const = 0;
  void apply();  // writes lr_at(last_epoch) into the optimizer
  void init();   // call at the end of a derived constructor (PyTorch's initial step)
  Optimizer& opt_;
  std::vector<double> base_lrs_, last_lr_;
  int64_t last_epoch_ = -1;
};

class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& opt, int64_t step_size, double gamma = 0.1);
  double lr_at(size_t g, int64_t e) const override;
  int64_t step_size;
  double gamma;
};

class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& opt, std::vector<int64_t> milestones, double gamma = 0.1);
  double lr_at(size_t g, int64_t e) const override;
  std::vector<int64_t> milestones;
  double gamma;
};

class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& opt, double gamma);
  double lr_at(size_t g, int64_t e) const override;
  double gamma;
};

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& opt, int64_t T_max, double eta_min = 0);
  double lr_at(size_t g, int64_t e) const override;
  int64_t T_max;
  double eta_min;
};

class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& opt, std::function<double(int64_t)> lr_lambda);
  double lr_at(size_t g, int64_t e) const override;
  std::function<double(int64_t)> lr_lambda;
};

class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& opt, double start_factor = 1.0 / 3, double end_factor = 1.0,
           int64_t total_iters = 5);
  double lr_at(size_t g, int64_t e) const override;
  double start_factor, end_factor;
  int64_t total_iters;
};

// One cycle per training run: warm up to max_lr, then anneal to max_lr / div / final_div.
// Stepped once per batch.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& opt, double max_lr, int64_t total_steps, double pct_start = 0.3,
             std::string anneal_strategy = "cos", double div_factor = 25.0,
             double final_div_factor = 1e4, bool three_phase = false);
  double lr_at(size_t g, int64_t e) const override;
  void step() override;
  double max_lr;
  int64_t total_steps;
  double pct_start;
  std::string anneal_strategy;
  double div_factor, final_div_factor;
  bool three_phase;
};

// Lowers the lr by `factor` when a metric stops improving for `patience` epochs.
class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(Optimizer& opt, std::string mode = "min", double factor = 0.1,
                    int64_t patience = 10, double threshold = 1e-4,
                    std::string threshold_mode = "rel", int64_t cooldown = 0, double min_lr = 0,
                    double eps = 1e-8);
  void step(double metric);
  std::vector<double> get_last_lr() const;
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  // The progress a checkpoint keeps (PyTorch's state_dict of the scheduler).
  struct State {
    std::optional<double> best;
    int64_t num_bad_epochs = 0, cooldown_counter = 0;
  };
  State state() const { return {best_, num_bad_epochs_, cooldown_counter_}; }
  void set_state(const State& s) {
    best_ = s.best;
    num_bad_epochs_ = s.num_bad_epochs;
    cooldown_counter_ = s.cooldown_counter;
  }

 private:
  bool better(double a, double best) const;
  Optimizer& opt_;
  std::string mode_, threshold_mode_;
  double factor_, threshold_, min_lr_, eps_;
  int64_t patience_, cooldown_, cooldown_counter_ = 0, num_bad_epochs_ = 0;
  std::optional<double> best_;
};

}  // namespace ember::optim
