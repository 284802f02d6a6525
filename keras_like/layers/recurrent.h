#pragma once
// LSTM and GRU on [batch, time, features] input, with Keras's weight layouts and defaults:
// kernel [features, gates * units] (glorot_uniform), recurrent_kernel [units, gates * units]
// (orthogonal), bias zeros (LSTM: unit_forget_bias, the forget gate's bias starts at 1).
// Gate order: LSTM i, f, c, o; GRU z, r, h with reset_after (bias [2, 3 * units]), as in
// TensorFlow 2. Returns the last output, or every step's with return_sequences.
#include "keras_like/layer.h"

namespace ember::keras {

struct RecurrentOptions {
  bool return_sequences = false;
  std::string kernel_initializer = "glorot_uniform";
  std::string recurrent_initializer = "orthogonal";
  bool use_bias = true;
};

class Recurrent : public Layer {
 public:
  Recurrent(std::string type_name, int64_t units, int64_t gates, RecurrentOptions options,
            LayerOptions layer);
  int64_t units() const { return units_; }

 protected:
  void build(const ShapeSpec& input_shape) override;
  Tensor call(const Tensor& x) override;
  void check_input(const Tensor& x) const override;
  virtual void build_bias() = 0;
  // One step: the input projection of this step [batch, gates * units] and the state.
  virtual TensorList step(const Tensor& x_proj, const TensorList& state) = 0;
  virtual TensorList initial_state(int64_t batch) const;
  int64_t units_, gates_;
  RecurrentOptions options_;
};

class LSTM : public Recurrent {
 public:
  explicit LSTM(int64_t units, RecurrentOptions options = {}, LayerOptions layer = {})
      : Recurrent("LSTM", units, 4, std::move(options), std::move(layer)) {}

 protected:
  void build_bias() override;
  TensorList step(const Tensor& x_proj, const TensorList& state) override;
  TensorList initial_state(int64_t batch) const override;
};

class GRU : public Recurrent {
 public:
  explicit GRU(int64_t units, RecurrentOptions options = {}, LayerOptions layer = {})
      : Recurrent("GRU", units, 3, std::move(options), std::move(layer)) {}

 protected:
  void build_bias() override;
  TensorList step(const Tensor& x_proj, const TensorList& state) override;
};

}  // namespace ember::keras
