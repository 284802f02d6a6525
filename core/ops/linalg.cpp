#include "core/ops/linalg.h"

#include "core/cpu/gemm.h"
#include "core/dispatch.h"
#include "core/ops.h"
#include "core/ops/grad_utils.h"
#include "core/ops/linalg_ops.h"

namespace ember {

EMBER_REGISTER_OP(MatmulOp);

namespace {

void check_dtypes(std::string_view op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) {
    raise<TypeError>("[{}] expected both inputs to have the same dtype, got {} and {}", op,
                     dtype_name(a.dtype()), dtype_name(b.dtype()));
  }
  if (a.dtype() == DType::Bool) {
    raise<TypeError>("[{}] does not support dtype bool", op);
  }
  if (a.device() != b.device()) {
    raise<ValueError>("[{}] expected both inputs on the same device, got {} and {}", op,
                      a.device().str(), b.device().str());
  }
}

[[noreturn]] void bad_shapes(std::string_view op, const Tensor& a, const Tensor& b,
                             std::string_view why) {
  raise<ValueError>("[{}] shapes {} and {} {}", op, shape_str(a.shape()), shape_str(b.shape()),
                    why);
}

void check_dims(std::string_view op, const Tensor& a, const Tensor& b, int64_t da, int64_t db) {
  if (a.dim() != da || b.dim() != db) {
    bad_shapes(op, a, b, fmt::format("are not supported: expected {}-D and {}-D inputs", da, db));
  }
}

Tensor run_matmul(const Tensor& a, const Tensor& b) {
  static const MatmulOp op;
  const Tensor in[] = {a, b};
  return dispatch1(op, in);
}

}  // namespace

MetaList MatmulOp::infer(std::span<const Tensor> in) const {
  check_num_inputs(*this, in, 2);
  const Tensor& a = in[0];
  const Tensor& b = in[1];
  check_dtypes(kName, a, b);
  if (a.dim() < 2 || b.dim() < 2) bad_shapes(kName, a, b, "must both be at least 2-D");
  if (a.size(-1) != b.size(-2)) {
    bad_shapes(kName, a, b, fmt::format("cannot be multiplied ({} != {})", a.size(-1), b.size(-2)));
  }
  IntList ba(a.shape().data(), a.dim() - 2), bb(b.shape().data(), b.dim() - 2);
  Shape batch;
  const size_t nd = std::max(ba.size(), bb.size());
  for (size_t i = 0; i < nd; ++i) {
    int64_t x = i + ba.size() >= nd ? ba[i + ba.size() - nd] : 1;
    int64_t y = i + bb.size() >= nd ? bb[i + bb.size() - nd] : 1;
    if (x != y && x != 1 && y != 1)
      bad_shapes(kName, a, b, "have batch dims that cannot be broadcast");
    batch.push_back(x == 1 ? y : x);
  }
  batch.push_back(a.size(-2));
  batch.push_back(b.size(-1));
  return {TensorMeta{std::move(batch), a.dtype(), a.device()}};
}

void MatmulOp::eval_cpu(std::span<const Tensor> in, std::span<Tensor> out) const {
  cpu::matmul_into(out[0], in[0], in[1]);
}

TensorList MatmulOp::vjp(const VjpArgs& a) const {
  const Tensor& g = a.grads[0];
  Tensor ga, gb;
  // Batch dims that were broadcast are summed away by reduce_grad.
  if (a.needs_grad[0])
    ga = reduce_grad(run_matmul(g, transpose(a.inputs[1], -1, -2)), a.input_meta[0]);
  if (a.needs_grad[1]) {
    const Tensor& b = a.inputs[1];
    if (b.dim() == 2 && a.inputs[0].dim() == 2 && b.stride(0) == 1 && b.stride(1) != 1) {
      // b is a transposed view (linear's weight.T): compute the gradient in the weight's own
      // layout, (g^T a)^T, so the weight's .grad comes out contiguous instead of a transposed
      // copy that accumulation would have to gather.
      gb = transpose(run_matmul(transpose(g, 0, 1), a.inputs[0]), 0, 1);
    } else {
      gb = reduce_grad(run_matmul(transpose(a.inputs[0], -1, -2), g), a.input_meta[1]);
    }
  }
  return {ga, gb};
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0) bad_shapes("matmul", a, b, "must both be at least 1-D");
  check_dtypes("matmul", a, b);
  if (a.dim() == 1 && b.dim() == 1) {
    if (a.size(0) != b.size(0)) {
      bad_shapes("matmul", a, b,
                 fmt::format("cannot be multiplied ({} != {})", a.size(0), b.size(0)));
    }
    return reshape(run_matmul(unsqueeze(a, 0), unsqueeze(b, 1)), {});
  }
  if (a.dim() == 1) {
    if (a.size(0) != b.size(-2)) {
      bad_shapes("matmul", a, b,
                 fmt::format("cannot be multiplied ({} != {})", a.size(0), b.size(-2)));
    }
    return squeeze(run_matmul(unsqueeze(a, 0), b), {-2});
  }
  if (b.dim() == 1) {
    if (a.size(-1) != b.size(0)) {
      bad_shapes("matmul", a, b,
                 fmt::format("cannot be multiplied ({} != {})", a.size(-1), b.size(0)));
    }
    return squeeze(run_matmul(a, unsqueeze(b, 1)), {-1});
  }
  return run_matmul(a, b);
}

Tensor mm(const Tensor& a, const Tensor& b) {
  check_dims("mm", a, b, 2, 2);
  if (a.size(1) != b.size(0)) {
    bad_shapes("mm", a, b, fmt::format("cannot be multiplied ({} != {})", a.size(1), b.size(0)));
  }
  check_dtypes("mm", a, b);
  return run_matmul(a, b);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_dims("bmm", a, b, 3, 3);
  if (a.size(0) != b.size(0)) {
    bad_shapes("bmm", a, b,
               fmt::format("have different batch sizes ({} != {})", a.size(0), b.size(0)));
  }
  if (a.size(2) != b.size(1)) {
    bad_shapes("bmm", a, b, fmt::format("cannot be multiplied ({} != {})", a.size(2), b.size(1)));
  }
  check_dtypes("bmm", a, b);
  return run_matmul(a, b);
}

Tensor mv(const Tensor& a, const Tensor& v) {
  check_dims("mv", a, v, 2, 1);
  if (a.size(1) != v.size(0)) {
    bad_shapes("mv", a, v, fmt::format("cannot be multiplied ({} != {})", a.size(1), v.size(0)));
  }
  check_dtypes("mv", a, v);
  return squeeze(run_matmul(a, unsqueeze(v, 1)), {-1});
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_dims("dot", a, b, 1, 1);
  if (a.size(0) != b.size(0)) {
    bad_shapes("dot", a, b, fmt::format("have different lengths ({} != {})", a.size(0), b.size(0)));
  }
  check_dtypes("dot", a, b);
  return reshape(run_matmul(unsqueeze(a, 0), unsqueeze(b, 1)), {});
}

Tensor outer(const Tensor& a, const Tensor& b) {
  check_dims("outer", a, b, 1, 1);
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, const Scalar& beta,
             const Scalar& alpha) {
  check_dims("addmm", a, b, 2, 2);
  if (a.size(1) != b.size(0)) {
    bad_shapes("addmm", a, b, fmt::format("cannot be multiplied ({} != {})", a.size(1), b.size(0)));
  }
  check_dtypes("addmm", a, b);
  Shape out{a.size(0), b.size(1)};
  // bias must broadcast to the product (not the other way round).
  if (broadcast_shapes(bias.shape(), out, "addmm") != out) {
    raise<ValueError>("[addmm] bias of shape {} does not broadcast to the product shape {}",
                      shape_str(bias.shape()), shape_str(out));
  }
  Tensor p = run_matmul(a, b);
  if (!(alpha == Scalar(1))) p = mul(p, alpha);
  if (beta == Scalar(0) || beta == Scalar(0.0)) return p;  // as PyTorch: bias ignored (NaN too)
  return add(beta == Scalar(1) ? bias : mul(bias, beta), p);
}

}  // namespace ember
