#pragma once
// Arrays for fit / evaluate / predict: inputs cast as Keras casts them (x to the model's
// dtype, floating or bool targets to the model's dtype, integer targets to int64), checked,
// split into training and validation parts, and cut into batches.
#include <string>
#include <utility>

#include "core/tensor.h"

namespace ember::keras {

// `dtype`: the model's floating dtype (Layer::dtype()).
Tensor prepare_inputs(const Tensor& x, DType dtype, const char* op);
Tensor prepare_targets(const Tensor& y, DType dtype, const char* op);
void check_lengths(const Tensor& x, const Tensor& y, const char* op,
                   const char* what = "x and y");

// Keras's validation_split: the last `fraction` of the samples, taken before shuffling.
struct Split {
  Tensor x, y, x_val, y_val;
};
Split split_validation(const Tensor& x, const Tensor& y, double fraction, const char* op);

// Batch `index` of at most batch_size samples, in `order` (a permutation) if defined.
Tensor take_batch(const Tensor& t, int64_t index, int64_t batch_size, const Tensor& order);
int64_t num_batches(int64_t n, int64_t batch_size);

}  // namespace ember::keras
