#pragma once
// keras::Model: layers with compile / fit / evaluate / predict. Subclass it and implement
// call(x) (layers registered with register_module are tracked), or use Sequential. The train
// step (forward, loss, backward, optimizer update, metric values) runs through
// trace::Function with a dynamic batch dimension: traced once, replayed for every batch size,
// the short last batch included. run_eagerly=true runs the same step eagerly.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras_like/callbacks.h"
#include "keras_like/layer.h"
#include "keras_like/losses.h"
#include "keras_like/metrics.h"
#include "keras_like/optimizers.h"
#include "trace/function.h"

namespace ember::keras {

// A metric by name ("accuracy", "mae") or as an object.
struct MetricSpec {
  MetricSpec(const char* n) : name(n) {}  // NOLINT: implicit, as Keras lists names
  MetricSpec(std::string n) : name(std::move(n)) {}  // NOLINT
  MetricSpec(Metric m) : metric(std::move(m)) {}  // NOLINT
  std::string name;
  std::optional<Metric> metric;
};

struct CompileOptions {
  bool run_eagerly = false;
};

struct FitOptions {
  int64_t batch_size = 32;
  int epochs = 1;
  int verbose = 1;  // 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<CallbackPtr> callbacks;
  double validation_split = 0.0;
  std::optional<std::pair<Tensor, Tensor>> validation_data;
  bool shuffle = true;
  int initial_epoch = 0;
  int64_t steps_per_epoch = -1;  // -1: the whole data set
  int64_t validation_batch_size = -1;  // -1: batch_size
};

class Model : public Layer {
 public:
  explicit Model(LayerOptions layer = {}, std::string type_name = "Model");

  // Builds the layers by running one zero sample of `input_shape` (batch dim kNone).
  virtual void build_model(const ShapeSpec& input_shape);

  void compile(std::shared_ptr<Optimizer> optimizer, Loss loss, std::vector<MetricSpec> metrics = {},
               CompileOptions options = {});
  void compile(const std::string& optimizer, const std::string& loss,
               std::vector<MetricSpec> metrics = {}, CompileOptions options = {});
  bool compiled() const { return compiled_; }
  void set_run_eagerly(bool on);

  std::shared_ptr<History> fit(const Tensor& x, const Tensor& y, FitOptions options = {});
  Logs evaluate(const Tensor& x, const Tensor& y, int64_t batch_size = 32, int verbose = 0,
                std::vector<CallbackPtr> callbacks = {});
  Tensor predict(const Tensor& x, int64_t batch_size = 32);
  Logs train_on_batch(const Tensor& x, const Tensor& y);
  Logs test_on_batch(const Tensor& x, const Tensor& y);
  Tensor predict_on_batch(const Tensor& x);

  // "loss" then each metric's name: the order of evaluate's values.
  std::vector<std::string> metrics_names() const;
  Optimizer& optimizer();
  const Loss& loss() const { return loss_; }
  std::shared_ptr<History> history() const { return history_; }
  // The traced step of this kind ("train", "test", "predict"), for inspection.
  trace::Function* step_function(const std::string& kind);

  void save_weights(const std::string& path) const;  // safetensors, atomic
  void load_weights(const std::string& path);
  // Layers with output shapes and parameter counts, as Keras prints it.
  std::string summary() const;

  bool stop_training = false;

 protected:
  void check_input(const Tensor& x) const override;

 private:
  void assert_compiled(const char* op) const;
  void prepare(const Tensor& x);
  void build_optimizer();
  std::vector<double> run_train(const Tensor& x, const Tensor& y);
  std::vector<double> run_test(const Tensor& x, const Tensor& y);
  Logs evaluate_arrays(const Tensor& x, const Tensor& y, int64_t batch_size, CallbackList* cbs);
  Logs to_logs(const std::vector<double>& totals, int64_t count) const;
  trace::Function::Fn step_body(const std::string& kind);

  std::shared_ptr<Optimizer> optimizer_;
  Loss loss_;
  std::vector<Metric> metrics_;
  bool compiled_ = false;
  bool run_eagerly_ = false;
  std::vector<const TensorImpl*> optimizer_weights_;
  std::map<std::string, std::unique_ptr<trace::Function>> steps_;
  std::shared_ptr<History> history_;
};

}  // namespace ember::keras
