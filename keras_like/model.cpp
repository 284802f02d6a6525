#include "keras_like/model.h"

#include <cmath>

#include <fmt/format.h>

#include "core/io/safetensors.h"
#include "core/ops.h"
#include "eager/autograd.h"
#include "eager/grad_mode.h"
#include "keras_like/fit_data.h"
#include "keras_like/progbar_logger.h"

namespace ember::keras {

Model::Model(LayerOptions layer, std::string type_name) : Layer(std::move(type_name), std::move(layer)) {}

void Model::build_model(const ShapeSpec& input_shape) {
  EMBER_CHECK(input_shape.size() >= 1, "[build] model '{}' needs an input shape with a batch "
              "dimension", name());
  std::vector<int64_t> one(input_shape.begin(), input_shape.end());
  one[0] = 1;
  for (size_t i = 1; i < one.size(); ++i) {
    EMBER_CHECK(one[i] != kNone, "[build] model '{}' needs a fully known input shape, got {}",
                name(), format_shape(input_shape));
  }
  bool was_training = is_training();
  eval();
  {
    NoGradGuard no_grad;
    (*this)(zeros(one, dtype()));
  }
  train(was_training);
}

void Model::check_input(const Tensor& x) const {
  if (!shape_matches(input_shape(), x.shape())) {
    raise<ValueError>("[{}] model '{}' expects input of shape {}, got input of shape {}",
                      type_name(), name(), format_shape(input_shape()),
                      format_shape(ShapeSpec(x.shape().begin(), x.shape().end())));
  }
}

// -- compile -------------------------------------------------------------------------------

void Model::compile(std::shared_ptr<Optimizer> optimizer, Loss loss,
                    std::vector<MetricSpec> metrics, CompileOptions options) {
  EMBER_CHECK(optimizer != nullptr, "[compile] model '{}' needs an optimizer", name());
  EMBER_CHECK(static_cast<bool>(loss.fn), "[compile] model '{}' needs a loss", name());
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
  metrics_.clear();
  for (auto& spec : metrics) {
    metrics_.push_back(spec.metric ? *spec.metric : get_metric(spec.name, loss_));
  }
  std::vector<std::string> names = metrics_names();
  for (size_t i = 1; i < names.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      EMBER_CHECK(names[i] != names[j], "[compile] metric names must be unique and not 'loss', "
                  "got '{}' more than once", names[i]);
    }
  }
  run_eagerly_ = options.run_eagerly;
  optimizer_weights_.clear();
  steps_.clear();
  compiled_ = true;
}

void Model::compile(const std::string& optimizer, const std::string& loss,
                    std::vector<MetricSpec> metrics, CompileOptions options) {
  compile(get_optimizer(optimizer), get_loss(loss), std::move(metrics), options);
}

void Model::set_run_eagerly(bool on) { run_eagerly_ = on; }

std::vector<std::string> Model::metrics_names() const {
  std::vector<std::string> names{"loss"};
  for (const Metric& m : metrics_) names.push_back(m.name());
  return names;
}

Optimizer& Model::optimizer() {
  EMBER_CHECK(optimizer_ != nullptr, "[optimizer] model '{}' is not compiled", name());
  return *optimizer_;
}

void Model::assert_compiled(const char* op) const {
  if (!compiled_) {
    raise<Error>("[{}] model '{}' must be compiled before {}(): call "
                 "model.compile(optimizer, loss) first", op, name(), op);
  }
}

// -- the steps -----------------------------------------------------------------------------

trace::Function::Fn Model::step_body(const std::string& kind) {
  if (kind == "train") {
    return [this](const std::vector<Tensor>& a) {
      optimizer_->zero_grad();
      Tensor pred = (*this)(a[0]);
      Tensor loss = loss_(a[1], pred);
      backward(loss);
      optimizer_->step();
      Tensor p = detach(pred);
      std::vector<Tensor> out{detach(loss)};
      for (Metric& m : metrics_) out.push_back(m.batch_value(a[1], p));
      return out;
    };
  }
  if (kind == "test") {
    return [this](const std::vector<Tensor>& a) {
      Tensor pred = (*this)(a[0]);
      std::vector<Tensor> out{loss_(a[1], pred)};
      for (Metric& m : metrics_) out.push_back(m.batch_value(a[1], pred));
      return out;
    };
  }
  return [this](const std::vector<Tensor>& a) { return std::vector<Tensor>{(*this)(a[0])}; };
}

trace::Function* Model::step_function(const std::string& kind) {
  auto it = steps_.find(kind);
  if (it != steps_.end()) return it->second.get();
  trace::FunctionOptions opts;
  // The batch dim of every argument is dynamic: the short last batch replays a graph
  // specialized from the same trace, without running the step again.
  opts.dynamic_dims = {{0}, {0}};
  opts.name = name() + "_" + kind + "_step";
  opts.arg_names = kind == "predict" ? std::vector<std::string>{"x"}
                                     : std::vector<std::string>{"x", "y"};
  auto fn = std::make_unique<trace::Function>(step_body(kind), opts);
  return steps_.emplace(kind, std::move(fn)).first->second.get();
}

void Model::prepare(const Tensor& x) {
  if (!built()) {
    build_model(batch_shape(x.shape()));
  } else {
    check_input(x);
  }
}

void Model::build_optimizer() {
  std::vector<Tensor> params;
  std::vector<const TensorImpl*> ids;
  for (const Tensor& p : parameters()) {
    if (p.requires_grad()) {
      params.push_back(p);
      ids.push_back(p.impl());
    }
  }
  if (!optimizer_->built() || ids != optimizer_weights_) {
    optimizer_->build(params);
    optimizer_weights_ = ids;
    steps_.clear();  // graphs captured the old optimizer state
  }
}

namespace {

std::vector<double> item_values(const std::vector<Tensor>& out) {
  std::vector<double> v;
  v.reserve(out.size());
  for (const Tensor& t : out) v.push_back(t.item<double>());
  return v;
}

}  // namespace

std::vector<double> Model::run_train(const Tensor& x, const Tensor& y) {
  train();
  if (run_eagerly_) return item_values(step_body("train")({x, y}));
  return item_values((*step_function("train"))({x, y}));
}

std::vector<double> Model::run_test(const Tensor& x, const Tensor& y) {
  eval();
  NoGradGuard no_grad;
  if (run_eagerly_) return item_values(step_body("test")({x, y}));
  return item_values((*step_function("test"))({x, y}));
}

Logs Model::to_logs(const std::vector<double>& totals, int64_t count) const {
  Logs logs;
  std::vector<std::string> names = metrics_names();
  for (size_t i = 0; i < names.size(); ++i) logs[names[i]] = totals[i] / double(count);
  return logs;
}

// -- fit / evaluate / predict --------------------------------------------------------------

std::shared_ptr<History> Model::fit(const Tensor& x_in, const Tensor& y_in, FitOptions o) {
  assert_compiled("fit");
  Tensor x = prepare_inputs(x_in, dtype(), "fit"), y = prepare_targets(y_in, dtype(), "fit");
  check_lengths(x, y, "fit");
  Tensor vx, vy;
  if (o.validation_data) {
    vx = prepare_inputs(o.validation_data->first, dtype(), "fit");
    vy = prepare_targets(o.validation_data->second, dtype(), "fit");
    check_lengths(vx, vy, "fit", "validation_data x and y");
  } else if (o.validation_split > 0.0) {
    Split s = split_validation(x, y, o.validation_split, "fit");
    x = s.x, y = s.y, vx = s.x_val, vy = s.y_val;
  }
  EMBER_CHECK(x.size(0) > 0, "[fit] x has no samples");
  EMBER_CHECK(o.batch_size > 0, "[fit] batch_size must be positive, got {}", o.batch_size);
  prepare(x);
  build_optimizer();
  int64_t n = x.size(0);
  int64_t steps = num_batches(n, o.batch_size);
  if (o.steps_per_epoch > 0) steps = std::min(steps, o.steps_per_epoch);

  auto history = std::make_shared<History>();
  std::vector<CallbackPtr> cbs = o.callbacks;
  if (o.verbose) cbs.push_back(std::make_shared<ProgbarLogger>());
  cbs.push_back(history);
  CallbackList cblist(cbs, this, TrainParams{o.epochs, steps, o.verbose});
  stop_training = false;
  Logs logs;
  cblist.call(&Callback::on_train_begin, Logs{});
  for (int epoch = o.initial_epoch; epoch < o.epochs; ++epoch) {
    cblist.call(&Callback::on_epoch_begin, epoch, Logs{});
    // The permutation comes from Ember's generator (manual_seed), as in Python's fit.
    Tensor order = o.shuffle ? randperm(n) : Tensor();
    std::vector<double> totals(metrics_.size() + 1, 0.0);
    int64_t count = 0;
    for (int64_t step = 0; step < steps; ++step) {
      cblist.call(&Callback::on_train_batch_begin, step, Logs{});
      Tensor xb = take_batch(x, step, o.batch_size, order);
      Tensor yb = take_batch(y, step, o.batch_size, order);
      std::vector<double> values = run_train(xb, yb);
      int64_t b = xb.size(0);
      for (size_t i = 0; i < totals.size(); ++i) totals[i] += values[i] * double(b);
      count += b;
      logs = to_logs(totals, count);
      cblist.call(&Callback::on_train_batch_end, step, logs);
      if (stop_training) break;
    }
    if (vx.defined()) {
      int64_t vb = o.validation_batch_size > 0 ? o.validation_batch_size : o.batch_size;
      for (const auto& [k, v] : evaluate_arrays(vx, vy, vb, nullptr)) logs["val_" + k] = v;
    }
    cblist.call(&Callback::on_epoch_end, epoch, logs);
    if (stop_training) break;
  }
  cblist.call(&Callback::on_train_end, logs);
  history_ = history;
  return history;
}

Logs Model::evaluate_arrays(const Tensor& x, const Tensor& y, int64_t batch_size,
                            CallbackList* cbs) {
  std::vector<double> totals(metrics_.size() + 1, 0.0);
  int64_t count = 0;
  int64_t steps = num_batches(x.size(0), batch_size);
  for (int64_t step = 0; step < steps; ++step) {
    Tensor xb = take_batch(x, step, batch_size, Tensor());
    std::vector<double> values = run_test(xb, take_batch(y, step, batch_size, Tensor()));
    for (size_t i = 0; i < totals.size(); ++i) totals[i] += values[i] * double(xb.size(0));
    count += xb.size(0);
    if (cbs) cbs->call(&Callback::on_test_batch_end, step, to_logs(totals, count));
  }
  return to_logs(totals, count);
}

Logs Model::evaluate(const Tensor& x_in, const Tensor& y_in, int64_t batch_size, int verbose,
                     std::vector<CallbackPtr> callbacks) {
  assert_compiled("evaluate");
  Tensor x = prepare_inputs(x_in, dtype(), "evaluate");
  Tensor y = prepare_targets(y_in, dtype(), "evaluate");
  check_lengths(x, y, "evaluate");
  EMBER_CHECK(x.size(0) > 0, "[evaluate] x has no samples");
  EMBER_CHECK(batch_size > 0, "[evaluate] batch_size must be positive, got {}", batch_size);
  prepare(x);
  CallbackList cblist(std::move(callbacks), this, TrainParams{1, num_batches(x.size(0), batch_size), verbose});
  cblist.call(&Callback::on_test_begin, Logs{});
  Logs logs = evaluate_arrays(x, y, batch_size, &cblist);
  cblist.call(&Callback::on_test_end, logs);
  if (verbose) {
    int64_t steps = num_batches(x.size(0), batch_size);
    std::string items;
    for (const auto& [k, v] : logs) items += fmt::format(" - {}: {:.4f}", k, v);
    fmt::print("{}/{}{}\n", steps, steps, items);
  }
  return logs;
}

Tensor Model::predict(const Tensor& x_in, int64_t batch_size) {
  Tensor x = prepare_inputs(x_in, dtype(), "predict");
  EMBER_CHECK(batch_size > 0, "[predict] batch_size must be positive, got {}", batch_size);
  prepare(x);
  eval();
  NoGradGuard no_grad;
  std::vector<Tensor> outs;
  for (int64_t step = 0; step < num_batches(x.size(0), batch_size); ++step) {
    Tensor xb = take_batch(x, step, batch_size, Tensor());
    outs.push_back(run_eagerly_ ? (*this)(xb) : (*step_function("predict"))({xb})[0]);
  }
  if (outs.empty()) {
    std::vector<int64_t> shape(output_shape().begin(), output_shape().end());
    if (shape.empty()) shape = {0};
    shape[0] = 0;
    return zeros(shape);
  }
  return cat(outs, 0);
}

Logs Model::train_on_batch(const Tensor& x_in, const Tensor& y_in) {
  assert_compiled("train_on_batch");
  Tensor x = prepare_inputs(x_in, dtype(), "train_on_batch");
  Tensor y = prepare_targets(y_in, dtype(), "train_on_batch");
  check_lengths(x, y, "train_on_batch");
  prepare(x);
  build_optimizer();
  return to_logs(run_train(x, y), 1);
}

Logs Model::test_on_batch(const Tensor& x_in, const Tensor& y_in) {
  assert_compiled("test_on_batch");
  Tensor x = prepare_inputs(x_in, dtype(), "test_on_batch");
  Tensor y = prepare_targets(y_in, dtype(), "test_on_batch");
  check_lengths(x, y, "test_on_batch");
  prepare(x);
  return to_logs(run_test(x, y), 1);
}

Tensor Model::predict_on_batch(const Tensor& x_in) {
  Tensor x = prepare_inputs(x_in, dtype(), "predict_on_batch");
  prepare(x);
  eval();
  NoGradGuard no_grad;
  return (*this)(x);
}

// -- weights and summary -------------------------------------------------------------------

void Model::save_weights(const std::string& path) const {
  EMBER_CHECK(built(), "[save_weights] model '{}' has not been built yet", name());
  io::save_safetensors(path, state_dict());
}

void Model::load_weights(const std::string& path) {
  EMBER_CHECK(built(), "[load_weights] model '{}' has not been built yet: build it (call it on "
              "data) before loading weights into it", name());
  io::Safetensors file = io::load_safetensors(path);
  nn::LoadStateDictResult r = load_state_dict(file.tensors, true);
  (void)r;
}

std::string Model::summary() const {
  EMBER_CHECK(built(), "[summary] model '{}' has not been built yet: call it on data, fit it, or "
              "give the first layer an input_shape", name());
  constexpr int kWidth = 65;
  const int cols[3] = {int(kWidth * 0.45), int(kWidth * 0.85), kWidth};
  auto row = [&](const std::string& a, const std::string& b, const std::string& c) {
    std::string line;
    const std::string* fields[3] = {&a, &b, &c};
    for (int i = 0; i < 3; ++i) {
      line = (line + " " + *fields[i]).substr(0, size_t(cols[i]));
      line.resize(size_t(cols[i]), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
  };
  std::string out = fmt::format("Model: \"{}\"\n{}\n{}\n{}\n", name(), std::string(kWidth, '_'),
                                row("Layer (type)", "Output Shape", "Param #"),
                                std::string(kWidth, '='));
  const auto& children = named_children();
  for (size_t i = 0; i < children.size(); ++i) {
    const auto* layer = dynamic_cast<const Layer*>(children[i].second.get());
    std::string label = layer ? fmt::format("{} ({})", layer->name(), layer->type_name())
                              : children[i].first + " (" + children[i].second->type_name() + ")";
    int64_t params = 0;
    for (const Tensor& p : children[i].second->parameters()) params += p.numel();
    out += row(label, layer ? format_shape(layer->output_shape()) : "?", std::to_string(params)) + "\n";
    out += i + 1 < children.size() ? "\n" : std::string(kWidth, '=') + "\n";
  }
  int64_t total = 0, trainable = 0, itemsize = 4;
  for (const Tensor& p : parameters()) {
    total += p.numel();
    if (p.requires_grad()) trainable += p.numel();
    itemsize = p.element_size();
  }
  auto memory = [](double bytes) {
    const char* units[] = {"Byte", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
    return fmt::format("{:.2f} {}", bytes, units[u]);
  };
  auto commas = [](int64_t n) {
    std::string s = std::to_string(n);
    for (int i = int(s.size()) - 3; i > 0; i -= 3) s.insert(size_t(i), ",");
    return s;
  };
  out += fmt::format("Total params: {} ({})\n", commas(total), memory(double(total * itemsize)));
  out += fmt::format("Trainable params: {} ({})\n", commas(trainable),
                     memory(double(trainable * itemsize)));
  out += fmt::format("Non-trainable params: {} ({})\n", commas(total - trainable),
                     memory(double((total - trainable) * itemsize)));
  return out + std::string(kWidth, '_') + "\n";
}

}  // namespace ember::keras
