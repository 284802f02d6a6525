#include "keras_like/callbacks.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "keras_like/model.h"

namespace ember::keras {

void History::on_epoch_end(int e, const Logs& logs) {
  epoch.push_back(e);
  for (const auto& [k, v] : logs) history[k].push_back(v);
}

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : opts_(std::move(options)) {
  const std::string& m = opts_.mode;
  EMBER_CHECK(m == "auto" || m == "min" || m == "max",
              "[EarlyStopping] mode must be 'auto', 'min' or 'max', got '{}'", m);
  if (m == "auto") {
    const std::string& mon = opts_.monitor;
    bool maximize = mon.find("acc") != std::string::npos ||
                    (mon.size() >= 3 && mon.compare(mon.size() - 3, 3, "auc") == 0);
    opts_.mode = maximize ? "max" : "min";
  }
  opts_.min_delta = std::abs(opts_.min_delta);
}

bool EarlyStopping::better(double value, std::optional<double> ref) const {
  if (!ref) return true;
  return opts_.mode == "min" ? value < *ref - opts_.min_delta : value > *ref + opts_.min_delta;
}

void EarlyStopping::on_train_begin(const Logs&) {
  wait_ = stopped_epoch_ = best_epoch_ = 0;
  best_.reset();
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
  auto it = logs.find(opts_.monitor);
  if (it == logs.end()) {
    std::string known;
    for (const auto& [k, v] : logs) known += (known.empty() ? "" : ", ") + k;
    raise<ValueError>("[EarlyStopping] monitored metric '{}' is not in the logs; available: {}",
                      opts_.monitor, known);
  }
  if (epoch < opts_.start_from_epoch) return;
  double value = it->second;
  if (opts_.restore_best_weights && best_weights_.empty()) best_weights_ = model_->get_weights();
  ++wait_;
  if (better(value, best_)) {
    best_ = value;
    best_epoch_ = epoch;
    if (opts_.restore_best_weights) best_weights_ = model_->get_weights();
    if (!opts_.baseline || better(value, opts_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= opts_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model_->stop_training = true;
  }
}

void EarlyStopping::on_train_end(const Logs&) {
  if (stopped_epoch_ > 0 && opts_.verbose > 0) {
    fmt::print("Epoch {}: early stopping\n", stopped_epoch_ + 1);
  }
  if (opts_.restore_best_weights && !best_weights_.empty()) {
    if (opts_.verbose > 0) {
      fmt::print("Restoring model weights from the end of the best epoch: {}.\n", best_epoch_ + 1);
    }
    model_->set_weights(best_weights_);
  }
}

void TerminateOnNaN::on_train_batch_end(int64_t batch, const Logs& logs) {
  auto it = logs.find("loss");
  if (it != logs.end() && !std::isfinite(it->second)) {
    fmt::print("Batch {}: Invalid loss, terminating training\n", batch);
    model_->stop_training = true;
  }
}

LearningRateScheduler::LearningRateScheduler(Schedule schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&) {
  Optimizer& opt = model_->optimizer();
  double lr = schedule_(epoch, opt.learning_rate());
  EMBER_CHECK(std::isfinite(lr), "[LearningRateScheduler] the schedule returned {} at epoch {}",
              lr, epoch);
  opt.set_learning_rate(lr);
  if (verbose_ > 0) {
    fmt::print("\nEpoch {}: LearningRateScheduler setting learning rate to {}.\n", epoch + 1, lr);
  }
}

CallbackList::CallbackList(std::vector<CallbackPtr> callbacks, Model* model,
                           const TrainParams& params)
    : callbacks_(std::move(callbacks)) {
  for (auto& cb : callbacks_) {
    EMBER_CHECK(cb != nullptr, "[fit] callbacks must not be null");
    cb->set_model(model);
    cb->set_params(params);
  }
}

}  // namespace ember::keras
