#include "nn/rnn.h"

#include <cmath>

#include "core/ops.h"
#include "nn/init.h"

namespace ember::nn {

namespace detail {
Tensor dropout(const Tensor& x, double p, bool training, std::string_view who) {
  if (p < 0.0 || p > 1.0) {
    raise<ValueError>("[{}] dropout probability has to be between 0 and 1, but got {}", who, p);
  }
  if (!training || p == 0.0) return x;
  if (p == 1.0) return mul(x, zeros_like(x));
  Tensor keep = bernoulli(x, 1.0 - p);  // 1 with probability 1 - p, dtype of x
  return mul(x, mul(keep, 1.0 / (1.0 - p)));
}
}  // namespace detail

namespace {

std::string param_name(const char* kind, int64_t layer, int64_t dir) {
  return fmt::format("{}_l{}{}", kind, layer, dir == 1 ? "_reverse" : "");
}

// Per-step views [B, G] of the input projections [T, B, G]. The backward of a slice scatters
// into zeros of the sliced tensor's full size, so T slices of [T, B, G] would cost
// O(T^2 B G) in backward; slicing blocks of ~sqrt(T) steps first makes it O(T^1.5 B G).
std::vector<Tensor> step_views(const Tensor& xproj) {
  const int64_t T = xproj.size(0);
  std::vector<Tensor> out;
  out.reserve(static_cast<size_t>(T));
  if (T <= 16) {
    for (int64_t t = 0; t < T; ++t) out.push_back(select(xproj, 0, t));
    return out;
  }
  const auto block = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(T))));
  for (const Tensor& b : split(xproj, block, 0)) {
    for (int64_t i = 0; i < b.size(0); ++i) out.push_back(select(b, 0, i));
  }
  return out;
}

}  // namespace

RNNBase::RNNBase(std::string type, Mode m, int64_t in, int64_t hidden, int64_t layers, bool b,
                 bool bf, double p, bool bidir, DType dtype)
    : Module(std::move(type)), mode(m), input_size(in), hidden_size(hidden), num_layers(layers),
      bias(b), batch_first(bf), dropout(p), bidirectional(bidir) {
  const std::string who = type_name();
  if (in <= 0 || hidden <= 0) {
    raise<ValueError>("[{}] input_size and hidden_size must be positive, got {} and {}", who, in,
                      hidden);
  }
  if (layers <= 0) raise<ValueError>("[{}] num_layers must be positive, got {}", who, layers);
  if (!(p >= 0.0 && p <= 1.0)) {
    raise<ValueError>("[{}] dropout should be a number in range [0, 1], got {}", who, p);
  }
  if (!is_floating(dtype)) {
    raise<TypeError>("[{}] parameters must have a floating dtype, got {}", who, dtype_name(dtype));
  }
  const int64_t g = gates() * hidden, dirs = bidir ? 2 : 1;
  for (int64_t l = 0; l < layers; ++l) {
    for (int64_t d = 0; d < dirs; ++d) {
      int64_t layer_in = l == 0 ? in : hidden * dirs;
      register_parameter(param_name("weight_ih", l, d), Tensor::empty({g, layer_in}, dtype));
      register_parameter(param_name("weight_hh", l, d), Tensor::empty({g, hidden}, dtype));
      if (b) {
        register_parameter(param_name("bias_ih", l, d), Tensor::empty({g}, dtype));
        register_parameter(param_name("bias_hh", l, d), Tensor::empty({g}, dtype));
      }
    }
  }
  reset_parameters();
}

int64_t RNNBase::gates() const {
  return mode == Mode::Lstm ? 4 : mode == Mode::Gru ? 3 : 1;
}

void RNNBase::reset_parameters() {
  double k = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (const Tensor& p : parameters(false)) init::uniform_(p, -k, k);
}

TensorList RNNBase::layer_parameters(int64_t l, int64_t d) const {
  return {parameter(param_name("weight_ih", l, d)), parameter(param_name("weight_hh", l, d)),
          bias ? parameter(param_name("bias_ih", l, d)) : Tensor(),
          bias ? parameter(param_name("bias_hh", l, d)) : Tensor()};
}

std::string RNNBase::extra_repr() const {
  std::string s = fmt::format("{}, {}", input_size, hidden_size);
  if (num_layers != 1) s += fmt::format(", num_layers={}", num_layers);
  if (!bias) s += ", bias=False";
  if (batch_first) s += ", batch_first=True";
  if (dropout != 0.0) s += fmt::format(", dropout={}", dropout);
  if (bidirectional) s += ", bidirectional=True";
  return s;
}

TensorList RNNBase::run_direction(const Tensor& x, int64_t l, int64_t d, const Tensor& h0,
                                  const Tensor& c0) const {
  TensorList p = layer_parameters(l, d);
  const Tensor &w_ih = p[0], &w_hh = p[1], &b_ih = p[2], &b_hh = p[3];
  const int64_t T = x.size(0), B = x.size(1), H = hidden_size, G = gates() * H;
  // Input projections of all steps at once: [T*B, In] @ [In, G] (+ biases).
  Tensor x2 = reshape(x, {T * B, x.size(2)});
  Tensor wt_ih = transpose(w_ih, 0, 1), wt_hh = transpose(w_hh, 0, 1);
  Tensor xproj;
  Tensor hh_bias;  // bias added to the hidden projection inside the loop (GRU only)
  if (bias) {
    if (mode == Mode::Gru) {
      xproj = addmm(b_ih, x2, wt_ih);
      hh_bias = b_hh;
    } else {
      xproj = addmm(add(b_ih, b_hh), x2, wt_ih);
    }
  } else {
    xproj = mm(x2, wt_ih);
  }
  std::vector<Tensor> steps = step_views(reshape(xproj, {T, B, G}));

  Tensor h = h0, c = c0;
  TensorList outs(static_cast<size_t>(T));
  for (int64_t s = 0; s < T; ++s) {
    int64_t t = d == 0 ? s : T - 1 - s;
    const Tensor& xt = steps[static_cast<size_t>(t)];                 // [B, G]
    Tensor hp = hh_bias.defined() ? addmm(hh_bias, h, wt_hh) : mm(h, wt_hh);  // [B, G]
    switch (mode) {
      case Mode::RnnTanh: h = tanh(add(xt, hp)); break;
      case Mode::RnnRelu: h = relu(add(xt, hp)); break;
      case Mode::Lstm: {
        std::vector<Tensor> gs = chunk(add(xt, hp), 4, 1);
        Tensor i = sigmoid(gs[0]), f = sigmoid(gs[1]), g = tanh(gs[2]), o = sigmoid(gs[3]);
        c = add(mul(f, c), mul(i, g));
        h = mul(o, tanh(c));
        break;
      }
      case Mode::Gru: {
        std::vector<Tensor> xs = chunk(xt, 3, 1), hs = chunk(hp, 3, 1);
        Tensor r = sigmoid(add(xs[0], hs[0]));
        Tensor z = sigmoid(add(xs[1], hs[1]));
        Tensor n = tanh(add(xs[2], mul(r, hs[2])));
        h = add(n, mul(z, sub(h, n)));  // (1 - z) * n + z * h
        break;
      }
    }
    outs[static_cast<size_t>(t)] = h;
  }
  return {stack(outs, 0), h, c};
}

TensorList RNNBase::forward_rnn(const Tensor& input, const Tensor& h0, const Tensor& c0) {
  const std::string who = type_name();
  const bool lstm = mode == Mode::Lstm;
  const int64_t dirs = bidirectional ? 2 : 1, H = hidden_size, LD = num_layers * dirs;
  if (input.dim() != 2 && input.dim() != 3) {
    raise<ValueError>("[{}] expected input to be 2-D (unbatched) or 3-D (batched), got shape {}",
                      who, shape_str(input.shape()));
  }
  if (input.size(-1) != input_size) {
    raise<ValueError>("[{}] input.size(-1) must be equal to input_size; expected {}, got input "
                      "shape {}", who, input_size, shape_str(input.shape()));
  }
  Tensor w0 = parameter("weight_ih_l0");
  if (input.dtype() != w0.dtype()) {
    raise<TypeError>("[{}] input dtype {} does not match the parameter dtype {}", who,
                     dtype_name(input.dtype()), dtype_name(w0.dtype()));
  }
  if (!lstm && c0.defined()) {
    raise<ValueError>("[{}] takes a single hidden state h0, but a cell state was given", who);
  }
  const bool batched = input.dim() == 3;
  Tensor x = batched ? (batch_first ? transpose(input, 0, 1) : input) : unsqueeze(input, 1);
  const int64_t T = x.size(0), B = x.size(1);
  if (T == 0) raise<ValueError>("[{}] input has an empty sequence (shape {})", who,
                                shape_str(input.shape()));
  Shape state_shape = batched ? Shape{LD, B, H} : Shape{LD, H};
  auto prepare = [&](const Tensor& s, const char* what) {
    if (!s.defined()) return zeros({LD, B, H}, w0.dtype(), w0.device());
    if (s.shape() != state_shape) {
      raise<ValueError>("[{}] expected {} of shape {} for input of shape {}, got {}", who, what,
                        shape_str(state_shape), shape_str(input.shape()), shape_str(s.shape()));
    }
    if (s.dtype() != w0.dtype()) {
      raise<TypeError>("[{}] {} dtype {} does not match the parameter dtype {}", who, what,
                       dtype_name(s.dtype()), dtype_name(w0.dtype()));
    }
    return batched ? s : unsqueeze(s, 1);
  };
  Tensor h = prepare(h0, lstm ? "h0 (hx[0])" : "hx");
  Tensor c = lstm ? prepare(c0, "c0 (hx[1])") : Tensor();

  TensorList hn, cn;
  Tensor layer_in = x;
  for (int64_t l = 0; l < num_layers; ++l) {
    if (l > 0) layer_in = detail::dropout(layer_in, dropout, is_training(), who);
    TensorList dir_out;
    for (int64_t d = 0; d < dirs; ++d) {
      int64_t k = l * dirs + d;
      TensorList r = run_direction(layer_in, l, d, select(h, 0, k), lstm ? select(c, 0, k) : Tensor());
      dir_out.push_back(r[0]);
      hn.push_back(r[1]);
      if (lstm) cn.push_back(r[2]);
    }
    layer_in = dirs == 1 ? dir_out[0] : cat(dir_out, 2);
  }
  Tensor out = layer_in;                   // [T, B, D*H]
  Tensor h_n = stack(hn, 0), c_n = lstm ? stack(cn, 0) : Tensor();
  if (!batched) {
    out = squeeze(out, {1});
    h_n = squeeze(h_n, {1});
    if (lstm) c_n = squeeze(c_n, {1});
  } else if (batch_first) {
    out = transpose(out, 0, 1);
  }
  if (lstm) return {out, h_n, c_n};
  return {out, h_n};
}

TensorList RNNBase::forward(const TensorList& in) {
  size_t max_in = mode == Mode::Lstm ? 3 : 2;
  if (in.empty() || in.size() > max_in) {
    raise<ValueError>("[{}] forward takes 1 to {} tensors (input, h0{}), got {}", type_name(),
                      max_in, mode == Mode::Lstm ? ", c0" : "", in.size());
  }
  if (mode == Mode::Lstm && in.size() == 2) {
    raise<ValueError>("[LSTM] expects both h0 and c0 (or neither), got only h0");
  }
  return forward_rnn(in[0], in.size() > 1 ? in[1] : Tensor(), in.size() > 2 ? in[2] : Tensor());
}

Tensor RNNBase::forward(const Tensor& input) { return forward_rnn(input).at(0); }

namespace {
RNNBase::Mode rnn_mode(const std::string& nl) {
  if (nl == "tanh") return RNNBase::Mode::RnnTanh;
  if (nl == "relu") return RNNBase::Mode::RnnRelu;
  raise<ValueError>("[RNN] unknown nonlinearity '{}' (expected 'tanh' or 'relu')", nl);
}
}  // namespace

RNN::RNN(int64_t in, int64_t hidden, int64_t layers, const std::string& nl, bool b, bool bf,
         double p, bool bidir, DType dtype)
    : RNNBase("RNN", rnn_mode(nl), in, hidden, layers, b, bf, p, bidir, dtype) {}

LSTM::LSTM(int64_t in, int64_t hidden, int64_t layers, bool b, bool bf, double p, bool bidir,
           DType dtype)
    : RNNBase("LSTM", Mode::Lstm, in, hidden, layers, b, bf, p, bidir, dtype) {}

GRU::GRU(int64_t in, int64_t hidden, int64_t layers, bool b, bool bf, double p, bool bidir,
         DType dtype)
    : RNNBase("GRU", Mode::Gru, in, hidden, layers, b, bf, p, bidir, dtype) {}

}  // namespace ember::nn
