#include "keras_like/layers/recurrent.h"

#include "core/ops.h"

namespace ember::keras {

Recurrent::Recurrent(std::string type_name, int64_t units, int64_t gates, RecurrentOptions options,
                     LayerOptions layer)
    : Layer(type_name, std::move(layer)), units_(units), gates_(gates), options_(std::move(options)) {
  EMBER_CHECK(units > 0, "[{}] units must be positive, got {}", type_name, units);
  get_initializer(options_.kernel_initializer);
  get_initializer(options_.recurrent_initializer);
}

void Recurrent::build(const ShapeSpec& input_shape) {
  if (input_shape.size() != 3 || input_shape[2] == kNone) {
    raise<ValueError>("[{}] layer '{}' expects input of shape (batch, time, features), got {}",
                      type_name(), name(), format_shape(input_shape));
  }
  add_weight("kernel", {input_shape[2], gates_ * units_}, get_initializer(options_.kernel_initializer));
  add_weight("recurrent_kernel", {units_, gates_ * units_},
             get_initializer(options_.recurrent_initializer));
  if (options_.use_bias) build_bias();
}

void Recurrent::check_input(const Tensor& x) const {
  if (x.dim() != 3 || x.size(2) != input_shape()[2]) {
    fail_shape(format_shape({kNone, kNone, input_shape()[2]}), x.shape());
  }
}

TensorList Recurrent::initial_state(int64_t batch) const {
  return TensorList{zeros({batch, units_}, dtype())};
}

Tensor Recurrent::call(const Tensor& x) {
  int64_t batch = x.size(0), steps = x.size(1);
  // All time steps' input projections in one matmul: [batch, time, gates * units].
  Tensor proj = matmul(x, parameter("kernel"));
  TensorList state = initial_state(batch);
  std::vector<Tensor> outputs;
  for (int64_t t = 0; t < steps; ++t) {
    state = step(select(proj, 1, t), state);
    if (options_.return_sequences) outputs.push_back(state[0]);
  }
  if (steps == 0) return options_.return_sequences ? zeros({batch, 0, units_}, dtype()) : state[0];
  return options_.return_sequences ? stack(outputs, 1) : state[0];
}

void LSTM::build_bias() {
  // unit_forget_bias: the forget gate (second quarter) starts at 1.
  add_weight("bias", {4 * units_}, [u = units_](const std::vector<int64_t>&, DType d) {
    return cat(std::vector<Tensor>{zeros({u}, d), ones({u}, d), zeros({2 * u}, d)}, 0);
  });
}

TensorList LSTM::initial_state(int64_t batch) const {
  return TensorList{zeros({batch, units_}, dtype()), zeros({batch, units_}, dtype())};
}

TensorList LSTM::step(const Tensor& x_proj, const TensorList& state) {
  const Tensor &h = state[0], &c = state[1];
  Tensor z = x_proj + matmul(h, parameter("recurrent_kernel"));
  if (options_.use_bias) z = z + parameter("bias");
  std::vector<Tensor> g = chunk(z, 4, 1);  // i, f, c, o
  Tensor c_next = sigmoid(g[1]) * c + sigmoid(g[0]) * tanh(g[2]);
  Tensor h_next = sigmoid(g[3]) * tanh(c_next);
  return TensorList{h_next, c_next};
}

void GRU::build_bias() {
  // reset_after: one bias for the input projection, one for the recurrent one.
  add_weight("bias", {2, 3 * units_}, zeros_initializer());
}

TensorList GRU::step(const Tensor& x_proj, const TensorList& state) {
  const Tensor& h = state[0];
  Tensor xp = x_proj, inner = matmul(h, parameter("recurrent_kernel"));
  if (options_.use_bias) {
    Tensor b = parameter("bias");
    xp = xp + select(b, 0, 0);
    inner = inner + select(b, 0, 1);
  }
  std::vector<Tensor> xg = chunk(xp, 3, 1), ig = chunk(inner, 3, 1);  // z, r, h
  Tensor z = sigmoid(xg[0] + ig[0]);
  Tensor r = sigmoid(xg[1] + ig[1]);
  Tensor hh = tanh(xg[2] + r * ig[2]);
  // h' = z * h + (1 - z) * hh
  return TensorList{z * h + (neg(z) + 1.0) * hh};
}

}  // namespace ember::keras
