#pragma once
// MaxPooling2D, AveragePooling2D ("valid" padding) and GlobalAveragePooling2D, on
// channels_last input by default, as in Keras.
#include <optional>

#include "core/ops/conv.h"
#include "keras_like/layer.h"

namespace ember::keras {

struct Pooling2DOptions {
  std::optional<Pair> strides;  // default: the pool size
  std::string padding = "valid";
  std::string data_format = "channels_last";
};

class Pooling2D : public Layer {
 public:
  Pooling2D(std::string type_name, bool max, Pair pool_size, Pooling2DOptions options,
            LayerOptions layer);

 protected:
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor& x) const override;

 private:
  bool max_;
  Pair pool_;
  Pooling2DOptions options_;
};

class MaxPooling2D : public Pooling2D {
 public:
  explicit MaxPooling2D(Pair pool_size = {2, 2}, Pooling2DOptions options = {},
                        LayerOptions layer = {})
      : Pooling2D("MaxPooling2D", true, pool_size, std::move(options), std::move(layer)) {}
};

class AveragePooling2D : public Pooling2D {
 public:
  explicit AveragePooling2D(Pair pool_size = {2, 2}, Pooling2DOptions options = {},
                            LayerOptions layer = {})
      : Pooling2D("AveragePooling2D", false, pool_size, std::move(options), std::move(layer)) {}
};

class GlobalAveragePooling2D : public Layer {
 public:
  explicit GlobalAveragePooling2D(std::string data_format = "channels_last",
                                  LayerOptions layer = {});

 protected:
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor& x) const override;

 private:
  std::string data_format_;
};

}  // namespace ember::keras
