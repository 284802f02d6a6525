#include "keras_like/layer.h"

#include <cctype>
#include <map>
#include <mutex>

#include "core/ops.h"
#include "eager/autograd.h"
#include "eager/grad_mode.h"

namespace ember::keras {

std::string unique_layer_name(const std::string& type_name) {
  std::string base;
  for (size_t i = 0; i < type_name.size(); ++i) {
    char c = type_name[i];
    if (i && std::isupper(static_cast<unsigned char>(c))) base += '_';
    base += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  static std::mutex mu;
  static std::map<std::string, int> counts;
  std::lock_guard<std::mutex> lock(mu);
  int n = counts[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

Layer::Layer(std::string type_name, LayerOptions options)
    : nn::Module(type_name),
      name_(options.name.empty() ? unique_layer_name(type_name) : options.name),
      trainable_(options.trainable),
      dtype_(options.dtype.value_or(default_dtype())) {
  if (options.input_shape) {
    ShapeSpec s{kNone};
    s.insert(s.end(), options.input_shape->begin(), options.input_shape->end());
    declared_input_ = s;
  }
}

void Layer::set_trainable(bool on) {
  trainable_ = on;
  for (const Tensor& p : parameters()) set_requires_grad(p, on);
}

void Layer::ensure_built(const ShapeSpec& input_shape) {
  if (built_) return;
  build(input_shape);
  input_shape_ = input_shape;
  built_ = true;
}

void Layer::set_built_shapes(ShapeSpec in, ShapeSpec out) {
  input_shape_ = std::move(in);
  output_shape_ = std::move(out);
  built_ = true;
}

void Layer::fail_shape(const std::string& what, const Shape& got) const {
  raise<ValueError>("[{}] layer '{}' expects input of shape {}, got input of shape {}",
                    type_name(), name_, what, format_shape(ShapeSpec(got.begin(), got.end())));
}

void Layer::check_input(const Tensor& x) const {
  if (!shape_matches(input_shape_, x.shape())) fail_shape(format_shape(input_shape_), x.shape());
}

Tensor Layer::forward(const Tensor& x) {
  if (!built_) {
    if (declared_input_ && !shape_matches(*declared_input_, x.shape())) {
      raise<ValueError>("[{}] layer '{}' was declared with input_shape {}, got input of shape {}",
                        type_name(), name_, format_shape(*declared_input_),
                        format_shape(ShapeSpec(x.shape().begin(), x.shape().end())));
    }
    ensure_built(batch_shape(x.shape()));
  } else {
    check_input(x);
  }
  Tensor out = call(x);
  output_shape_ = batch_shape(out.shape());
  return out;
}

Tensor Layer::add_weight(const std::string& name, const std::vector<int64_t>& shape,
                         const Initializer& init, bool trainable) {
  Tensor value;
  {
    NoGradGuard no_grad;
    value = init(shape, dtype_);
  }
  return register_parameter(name, value, trainable && trainable_);
}

int64_t Layer::count_params() const {
  EMBER_CHECK(built_, "[{}] layer '{}' is not built yet, so its weights do not exist: call it "
              "on data first", type_name(), name_);
  int64_t n = 0;
  for (const Tensor& p : parameters()) n += p.numel();
  return n;
}

std::vector<Tensor> Layer::get_weights() const {
  std::vector<Tensor> out;
  for (const Tensor& p : parameters()) out.push_back(clone(detach(p)));
  return out;
}

void Layer::set_weights(const std::vector<Tensor>& weights) {
  std::vector<Tensor> own = parameters();
  EMBER_CHECK(weights.size() == own.size(), "[{}.set_weights] layer '{}' has {} weights, got {}",
              type_name(), name_, own.size(), weights.size());
  for (size_t i = 0; i < own.size(); ++i) {
    EMBER_CHECK(weights[i].shape() == own[i].shape(),
                "[{}.set_weights] weight {} of layer '{}' has shape {}, got shape {}", type_name(),
                i, name_, format_shape(ShapeSpec(own[i].shape().begin(), own[i].shape().end())),
                format_shape(ShapeSpec(weights[i].shape().begin(), weights[i].shape().end())));
  }
  NoGradGuard no_grad;
  for (size_t i = 0; i < own.size(); ++i) copy_(own[i], weights[i]);
}

}  // namespace ember::keras

namespace ember::keras {

KerasTensor Layer::operator()(const KerasTensor& x) { return (*this)(std::vector<KerasTensor>{x}); }

KerasTensor Layer::operator()(const std::vector<KerasTensor>& xs) {
  std::shared_ptr<Layer> self;
  try {
    self = std::static_pointer_cast<Layer>(shared_from_this());
  } catch (const std::bad_weak_ptr&) {
    raise<ValueError>("[{}] layer '{}' must be created with std::make_shared to be called on "
                      "symbolic inputs (the model keeps a reference to it)", type_name(), name_);
  }
  EMBER_CHECK(!xs.empty(), "[{}] layer '{}' was called on no inputs", type_name(), name_);
  // The output shape comes from running one zero sample (which also builds the weights).
  TensorList samples;
  for (const KerasTensor& x : xs) {
    std::vector<int64_t> one(x.shape().begin(), x.shape().end());
    one[0] = 1;
    samples.push_back(zeros(one, dtype_));
  }
  bool was_training = is_training();
  eval();
  TensorList out;
  {
    NoGradGuard no_grad;
    out = nn::Module::operator()(samples);
  }
  train(was_training);
  EMBER_CHECK(out.size() == 1, "[{}] layer '{}' returned {} outputs; the functional API takes "
              "layers with one output", type_name(), name_, out.size());
  auto node = std::make_shared<KerasNode>();
  node->layer = self;
  node->inputs = xs;
  return KerasTensor(node, batch_shape(out[0].shape()));
}

}  // namespace ember::keras
