#pragma once
// Recurrent layers: RNN (tanh/relu), LSTM, GRU, with PyTorch's signatures, parameter names
// (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, "_reverse" for the backward
// direction), gate order (LSTM i,f,g,o; GRU r,z,n) and initialization U(-1/sqrt(H), 1/sqrt(H)).
// Built from existing ops, so autograd comes free: per layer and direction one matmul
// projects the inputs of all time steps, then a loop over time applies the hidden projection.
#include "core/default_dtype.h"
#include <string>

#include "nn/module.h"

namespace ember::nn {

class RNNBase : public Module {
 public:
  enum class Mode { RnnTanh, RnnRelu, Lstm, Gru };

  RNNBase(std::string type_name, Mode mode, int64_t input_size, int64_t hidden_size,
          int64_t num_layers = 1, bool bias = true, bool batch_first = false,
          double dropout = 0.0, bool bidirectional = false, DType dtype = default_dtype());

  // input: [T, B, input_size] ([B, T, input_size] when batch_first) or unbatched [T, input_size].
  // h0, c0: [num_layers * D, B, H] (unbatched [num_layers * D, H]); undefined means zeros;
  // c0 is for LSTM only. Returns {output, h_n} and for LSTM {output, h_n, c_n}.
  TensorList forward_rnn(const Tensor& input, const Tensor& h0 = Tensor(),
                         const Tensor& c0 = Tensor());
  // Container form: {input[, h0[, c0]]} -> forward_rnn.
  TensorList forward(const TensorList& inputs) override;
  Tensor forward(const Tensor& input) override;  // output only

  void reset_parameters();
  std::string extra_repr() const override;
  // The four parameters of a layer and direction: {w_ih, w_hh, b_ih, b_hh} (biases undefined
  // when bias=false).
  TensorList layer_parameters(int64_t layer, int64_t direction) const;

  Mode mode;
  int64_t input_size, hidden_size, num_layers;
  bool bias, batch_first;
  double dropout;
  bool bidirectional;

 private:
  int64_t gates() const;
  // One layer and direction over the whole sequence x [T, B, In]; returns {output [T, B, H],
  // h_T, c_T}.
  TensorList run_direction(const Tensor& x, int64_t layer, int64_t dir, const Tensor& h,
                           const Tensor& c) const;
};

class RNN : public RNNBase {
 public:
  RNN(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1,
      const std::string& nonlinearity = "tanh", bool bias = true, bool batch_first = false,
      double dropout = 0.0, bool bidirectional = false, DType dtype = default_dtype());
  std::string nonlinearity() const { return mode == Mode::RnnRelu ? "relu" : "tanh"; }
};

class LSTM : public RNNBase {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1, bool bias = true,
       bool batch_first = false, double dropout = 0.0, bool bidirectional = false,
       DType dtype = default_dtype());
};

class GRU : public RNNBase {
 public:
  GRU(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1, bool bias = true,
      bool batch_first = false, double dropout = 0.0, bool bidirectional = false,
      DType dtype = default_dtype());
};

namespace detail {
// Inverted dropout composed from bernoulli (x itself when !training or p == 0); `who` names
// the caller in errors. Used between RNN layers and inside attention.
Tensor dropout(const Tensor& x, double p, bool training, std::string_view who);
}  // namespace detail

}  // namespace ember::nn
