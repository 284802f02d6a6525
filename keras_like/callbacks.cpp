#include "keras_like/callbacks.h"

#include <cmath>
#include <fstream>
#include <regex>

#include <fmt/format.h>

#include "core/error.h"
#include "keras_like/model.h"

namespace ember::keras {
namespace {

// "auto" minimizes losses and maximizes accuracies and AUC, as Keras does.
std::string resolve_mode(const std::string& mode, const std::string& monitor, const char* who) {
  EMBER_CHECK(mode == "auto" || mode == "min" || mode == "max",
              "[{}] mode must be 'auto', 'min' or 'max', got '{}'", who, mode);
  if (mode != "auto") return mode;
  bool maximize = monitor.find("acc") != std::string::npos ||
                  (monitor.size() >= 3 && monitor.compare(monitor.size() - 3, 3, "auc") == 0);
  return maximize ? "max" : "min";
}

double monitored(const Logs& logs, const std::string& monitor, const char* who) {
  auto it = logs.find(monitor);
  if (it == logs.end()) {
    std::string known;
    for (const auto& [k, v] : logs) known += (known.empty() ? "" : ", ") + k;
    raise<ValueError>("[{}] monitored metric '{}' is not in the logs; available: {}", who,
                      monitor, known);
  }
  return it->second;
}

bool improved(const std::string& mode, double value, std::optional<double> best, double delta) {
  if (!best) return true;
  return mode == "min" ? value < *best - delta : value > *best + delta;
}

}  // namespace

void History::on_epoch_end(int e, const Logs& logs) {
  epoch.push_back(e);
  for (const auto& [k, v] : logs) history[k].push_back(v);
}

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : opts_(std::move(options)) {
  opts_.mode = resolve_mode(opts_.mode, opts_.monitor, "EarlyStopping");
  opts_.min_delta = std::abs(opts_.min_delta);
}

bool EarlyStopping::better(double value, std::optional<double> ref) const {
  return improved(opts_.mode, value, ref, opts_.min_delta);
}

void EarlyStopping::on_train_begin(const Logs&) {
  wait_ = stopped_epoch_ = best_epoch_ = 0;
  best_.reset();
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
  double value = monitored(logs, opts_.monitor, "EarlyStopping");
  if (epoch < opts_.start_from_epoch) return;
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

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : filepath_(std::move(filepath)), opts_(std::move(options)) {
  EMBER_CHECK(!filepath_.empty(), "[ModelCheckpoint] filepath must not be empty");
  opts_.mode = resolve_mode(opts_.mode, opts_.monitor, "ModelCheckpoint");
}

std::string ModelCheckpoint::path_for(int epoch) const {
  static const std::regex field(R"(\{epoch(:0?(\d+)d)?\})");
  std::string out;
  auto begin = std::sregex_iterator(filepath_.begin(), filepath_.end(), field);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += filepath_.substr(last, size_t(it->position()) - last);
    int width = (*it)[2].matched ? std::stoi((*it)[2].str()) : 0;
    out += fmt::format("{:0{}d}", epoch + 1, width);
    last = size_t(it->position() + it->length());
  }
  return out + filepath_.substr(last);
}

void ModelCheckpoint::on_epoch_end(int epoch, const Logs& logs) {
  if (opts_.save_best_only) {
    double value = monitored(logs, opts_.monitor, "ModelCheckpoint");
    if (!improved(opts_.mode, value, best_, 0.0)) return;
    if (opts_.verbose > 0) {
      fmt::print("\nEpoch {}: {} improved to {:.5f}, saving model to {}\n", epoch + 1,
                 opts_.monitor, value, path_for(epoch));
    }
    best_ = value;
  }
  model_->save_weights(path_for(epoch));
}

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options) : opts_(std::move(options)) {
  EMBER_CHECK(opts_.factor > 0.0 && opts_.factor < 1.0,
              "[ReduceLROnPlateau] factor must be in (0, 1), got {}", opts_.factor);
  opts_.mode = resolve_mode(opts_.mode, opts_.monitor, "ReduceLROnPlateau");
}

void ReduceLROnPlateau::on_train_begin(const Logs&) {
  best_.reset();
  wait_ = cooldown_left_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(int epoch, const Logs& logs) {
  double value = monitored(logs, opts_.monitor, "ReduceLROnPlateau");
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    wait_ = 0;
  }
  if (improved(opts_.mode, value, best_, opts_.min_delta)) {
    best_ = value;
    wait_ = 0;
    return;
  }
  if (cooldown_left_ > 0 || ++wait_ < opts_.patience) return;
  Optimizer& opt = model_->optimizer();
  double lr = opt.learning_rate();
  if (lr > opts_.min_lr) {
    double next = std::max(lr * opts_.factor, opts_.min_lr);
    opt.set_learning_rate(next);
    if (opts_.verbose > 0) {
      fmt::print("\nEpoch {}: ReduceLROnPlateau reducing learning rate to {}.\n", epoch + 1, next);
    }
    cooldown_left_ = opts_.cooldown;
    wait_ = 0;
  }
}

CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), sep_(separator), append_(append) {}

void CSVLogger::on_train_begin(const Logs&) {
  if (!append_) std::ofstream(filename_, std::ios::trunc);
  header_written_ = append_ && std::ifstream(filename_).peek() != std::ifstream::traits_type::eof();
}

void CSVLogger::on_epoch_end(int epoch, const Logs& logs) {
  std::ofstream out(filename_, std::ios::app);
  EMBER_CHECK(out.good(), "[CSVLogger] cannot write to '{}'", filename_);
  if (!header_written_) {
    out << "epoch";
    for (const auto& [k, v] : logs) out << sep_ << k;
    out << "\n";
    header_written_ = true;
  }
  out << epoch;
  for (const auto& [k, v] : logs) out << sep_ << fmt::format("{}", v);
  out << "\n";
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
