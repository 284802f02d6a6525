#include "keras_like/fit_data.h"

#include "core/ops.h"
#include "keras_like/shape_spec.h"

namespace ember::keras {
namespace {

std::string shape_str(const Tensor& t) {
  return format_shape(ShapeSpec(t.shape().begin(), t.shape().end()));
}

void check_defined(const Tensor& t, const char* role, const char* op) {
  EMBER_CHECK(t.defined(), "[{}] {} is required", op, role);
  EMBER_CHECK(t.dim() > 0, "[{}] {} must have a batch dimension, got a scalar", op, role);
}

}  // namespace

Tensor prepare_inputs(const Tensor& x, DType dtype, const char* op) {
  check_defined(x, "x", op);
  return contiguous(detach(to_dtype(x, dtype)));
}

Tensor prepare_targets(const Tensor& y, DType dtype, const char* op) {
  check_defined(y, "y", op);
  DType d = is_floating(y.dtype()) || y.dtype() == DType::Bool ? dtype : DType::Int64;
  return contiguous(detach(to_dtype(y, d)));
}

void check_lengths(const Tensor& x, const Tensor& y, const char* op, const char* what) {
  if (x.size(0) != y.size(0)) {
    raise<ValueError>("[{}] {} must have the same number of samples, got {} samples in x "
                      "(shape {}) and {} in y (shape {})", op, what, x.size(0), shape_str(x),
                      y.size(0), shape_str(y));
  }
}

Split split_validation(const Tensor& x, const Tensor& y, double fraction, const char* op) {
  EMBER_CHECK(fraction >= 0.0 && fraction < 1.0, "[{}] validation_split must be in [0, 1), got {}",
              op, fraction);
  int64_t n = x.size(0);
  auto n_val = static_cast<int64_t>(double(n) * fraction);
  EMBER_CHECK(n_val > 0 && n_val < n, "[{}] validation_split={} of {} samples leaves {} validation "
              "and {} training samples; both must be non-empty", op, fraction, n, n_val, n - n_val);
  int64_t cut = n - n_val;
  return {narrow(x, 0, 0, cut), narrow(y, 0, 0, cut), narrow(x, 0, cut, n_val),
          narrow(y, 0, cut, n_val)};
}

int64_t num_batches(int64_t n, int64_t batch_size) { return (n + batch_size - 1) / batch_size; }

Tensor take_batch(const Tensor& t, int64_t index, int64_t batch_size, const Tensor& order) {
  int64_t n = t.size(0);
  int64_t start = index * batch_size;
  int64_t len = std::min(batch_size, n - start);
  if (!order.defined()) return contiguous(narrow(t, 0, start, len));
  return index_select(t, 0, narrow(order, 0, start, len));
}

}  // namespace ember::keras
