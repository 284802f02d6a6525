#pragma once
// keras::Layer: an nn::Module that creates its weights lazily, in build(input_shape), on its
// first call (or at once from a declared input shape), so state dicts, checkpoints and
// optimizers work as for any module. Subclasses implement build() and call().
#include <optional>
#include <string>
#include <vector>

#include "keras_like/initializers.h"
#include "keras_like/keras_tensor.h"
#include "keras_like/shape_spec.h"
#include "nn/module.h"

namespace ember::keras {

// Options every layer takes (Keras's base-layer keyword arguments).
struct LayerOptions {
  std::string name;                      // empty: a unique name from the class ("dense_1")
  std::optional<ShapeSpec> input_shape;  // per sample, without the batch dim
  bool trainable = true;
  // The dtype of the layer's weights; unset: ember::default_dtype() when the layer is
  // constructed (Keras's floatx), so set_default_dtype(Float64) first gives float64 layers.
  std::optional<DType> dtype;
};

class Layer : public nn::Module {
 public:
  Layer(std::string type_name, LayerOptions options);

  const std::string& name() const { return name_; }
  bool built() const { return built_; }
  DType dtype() const { return dtype_; }
  // The declared input shape with a kNone batch dim, if the layer was given one.
  const std::optional<ShapeSpec>& declared_input_shape() const { return declared_input_; }
  // Shapes seen when built / last called, batch dim kNone; empty before.
  const ShapeSpec& input_shape() const { return input_shape_; }
  const ShapeSpec& output_shape() const { return output_shape_; }

  bool trainable() const { return trainable_; }
  void set_trainable(bool on);

  // Builds the weights for inputs of this shape (batch dim kNone); no-op once built.
  void ensure_built(const ShapeSpec& input_shape);
  // Checks the input, builds on first use, runs call() and records the output shape.
  Tensor forward(const Tensor& x) override;
  using nn::Module::forward;

  // Eager calls (Tensor) come from nn::Module; symbolic calls (functional API) record this
  // layer's call on KerasTensors, building it from their shapes. The layer must be owned by
  // a shared_ptr (std::make_shared), as the model keeps it.
  using nn::Module::operator();
  KerasTensor operator()(const KerasTensor& x);
  KerasTensor operator()(const std::vector<KerasTensor>& xs);

  int64_t count_params() const;
  std::vector<Tensor> get_weights() const;              // copies, registration order
  void set_weights(const std::vector<Tensor>& weights);  // shapes must match

 protected:
  virtual void build(const ShapeSpec& input_shape) {}
  virtual Tensor call(const Tensor& x) = 0;
  // Raises when a built layer gets input it cannot take; default: the built shape.
  virtual void check_input(const Tensor& x) const;
  // Creates and registers a weight; trainable weights require grad (if the layer does).
  Tensor add_weight(const std::string& name, const std::vector<int64_t>& shape,
                    const Initializer& init, bool trainable = true);
  [[noreturn]] void fail_shape(const std::string& what, const Shape& got) const;

  // Sequential and Model set these when they build their layers.
  friend class Sequential;
  friend class Model;
  void set_built_shapes(ShapeSpec in, ShapeSpec out);
  void reset_built() { built_ = false; }

 private:
  std::string name_;
  bool built_ = false;
  bool trainable_ = true;
  DType dtype_;
  std::optional<ShapeSpec> declared_input_;
  ShapeSpec input_shape_, output_shape_;
};

// A unique name per class: "dense", "dense_1", ... (snake case of the class name).
std::string unique_layer_name(const std::string& type_name);

}  // namespace ember::keras
