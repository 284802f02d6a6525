#pragma once
// Callbacks called by Model::fit / evaluate at the start and end of training, epochs and
// batches, with the current logs (loss and metrics by name). History is added to every fit;
// ProgbarLogger (progbar_logger.h) prints progress for verbose 1 and 2.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ember::keras {

class Model;
using Logs = std::map<std::string, double>;

// What fit tells its callbacks before training starts.
struct TrainParams {
  int epochs = 1;
  int64_t steps = 0;  // per epoch
  int verbose = 1;
};

class Callback {
 public:
  virtual ~Callback() = default;
  void set_model(Model* model) { model_ = model; }
  void set_params(const TrainParams& params) { params_ = params; }

  virtual void on_train_begin(const Logs&) {}
  virtual void on_train_end(const Logs&) {}
  virtual void on_epoch_begin(int epoch, const Logs&) {}
  virtual void on_epoch_end(int epoch, const Logs&) {}
  virtual void on_train_batch_begin(int64_t batch, const Logs&) {}
  virtual void on_train_batch_end(int64_t batch, const Logs&) {}
  virtual void on_test_begin(const Logs&) {}
  virtual void on_test_end(const Logs&) {}
  virtual void on_test_batch_end(int64_t batch, const Logs&) {}

 protected:
  Model* model_ = nullptr;
  TrainParams params_;
};

using CallbackPtr = std::shared_ptr<Callback>;

// The per-epoch logs: history["loss"][epoch], history["val_accuracy"][epoch], ...
class History : public Callback {
 public:
  std::map<std::string, std::vector<double>> history;
  std::vector<int> epoch;
  void on_train_begin(const Logs&) override { epoch.clear(); }
  void on_epoch_end(int e, const Logs& logs) override;
};

// Stops training when `monitor` stops improving for `patience` epochs; optionally puts back
// the weights of the best epoch at the end. mode "auto" maximizes accuracies and AUC.
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;
  int patience = 0;
  int verbose = 0;
  std::string mode = "auto";
  std::optional<double> baseline;
  bool restore_best_weights = false;
  int start_from_epoch = 0;
};

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;
  void on_train_end(const Logs&) override;
  int stopped_epoch() const { return stopped_epoch_; }
  int best_epoch() const { return best_epoch_; }

 private:
  bool better(double value, std::optional<double> ref) const;
  EarlyStoppingOptions opts_;
  int wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  std::optional<double> best_;
  std::vector<Tensor> best_weights_;
};

// Stops training when the loss becomes NaN or infinite.
class TerminateOnNaN : public Callback {
 public:
  void on_train_batch_end(int64_t batch, const Logs& logs) override;
};

// Sets the learning rate at the start of each epoch to schedule(epoch, current_lr).
class LearningRateScheduler : public Callback {
 public:
  using Schedule = std::function<double(int epoch, double lr)>;
  explicit LearningRateScheduler(Schedule schedule, int verbose = 0);
  void on_epoch_begin(int epoch, const Logs&) override;

 private:
  Schedule schedule_;
  int verbose_;
};

// Saves the weights (safetensors) after each epoch to `filepath`, where "{epoch}" (or
// "{epoch:02d}") becomes the 1-based epoch; with save_best_only, only when `monitor` improved.
struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  bool save_best_only = false;
  std::string mode = "auto";
  int verbose = 0;
};

class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(std::string filepath, ModelCheckpointOptions options = {});
  void on_train_begin(const Logs&) override { best_.reset(); }
  void on_epoch_end(int epoch, const Logs& logs) override;
  // The file path for this (0-based) epoch.
  std::string path_for(int epoch) const;

 private:
  std::string filepath_;
  ModelCheckpointOptions opts_;
  std::optional<double> best_;
};

// Multiplies the learning rate by `factor` when `monitor` has not improved for `patience`
// epochs, down to min_lr, then waits `cooldown` epochs.
struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;
  int patience = 10;
  std::string mode = "auto";
  double min_delta = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;
  int verbose = 0;
};

class ReduceLROnPlateau : public Callback {
 public:
  explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;

 private:
  ReduceLROnPlateauOptions opts_;
  std::optional<double> best_;
  int wait_ = 0, cooldown_left_ = 0;
};

// Writes one CSV row per epoch: epoch, then the logs in name order.
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string filename, char separator = ',', bool append = false);
  void on_train_begin(const Logs&) override;
  void on_epoch_end(int epoch, const Logs& logs) override;

 private:
  std::string filename_;
  char sep_;
  bool append_;
  bool header_written_ = false;
};

// Hooks from lambdas, for quick callbacks.
class LambdaCallback : public Callback {
 public:
  std::function<void(int, const Logs&)> on_epoch_begin_fn, on_epoch_end_fn;
  std::function<void(int64_t, const Logs&)> on_batch_begin_fn, on_batch_end_fn;
  std::function<void(const Logs&)> on_train_begin_fn, on_train_end_fn;
  void on_epoch_begin(int e, const Logs& l) override { if (on_epoch_begin_fn) on_epoch_begin_fn(e, l); }
  void on_epoch_end(int e, const Logs& l) override { if (on_epoch_end_fn) on_epoch_end_fn(e, l); }
  void on_train_batch_begin(int64_t b, const Logs& l) override {
    if (on_batch_begin_fn) on_batch_begin_fn(b, l);
  }
  void on_train_batch_end(int64_t b, const Logs& l) override {
    if (on_batch_end_fn) on_batch_end_fn(b, l);
  }
  void on_train_begin(const Logs& l) override { if (on_train_begin_fn) on_train_begin_fn(l); }
  void on_train_end(const Logs& l) override { if (on_train_end_fn) on_train_end_fn(l); }
};

// Calls every hook of every callback in order.
class CallbackList {
 public:
  CallbackList(std::vector<CallbackPtr> callbacks, Model* model, const TrainParams& params);
  template <class Hook, class... Args>
  void call(Hook hook, const Args&... args) {
    for (auto& cb : callbacks_) ((*cb).*hook)(args...);
  }

 private:
  std::vector<CallbackPtr> callbacks_;
};

}  // namespace ember::keras
