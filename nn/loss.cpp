#include "nn/loss.h"

#include "core/ops.h"

namespace ember::nn {
namespace {

void check_reduction(std::string_view r, std::string_view op, bool allow_batchmean = false) {
  if (r != "mean" && r != "sum" && r != "none" && !(allow_batchmean && r == "batchmean")) {
    raise<ValueError>("[{}] reduction must be 'mean', 'sum' or 'none'{}, got '{}'", op,
                      allow_batchmean ? " (or 'batchmean')" : "", r);
  }
}

Tensor reduce(const Tensor& loss, std::string_view r) {
  if (r == "none") return loss;
  return r == "sum" ? sum(loss) : mean(loss);
}

void check_same_shape(const Tensor& input, const Tensor& target, std::string_view op) {
  if (input.shape() != target.shape()) {
    raise<ValueError>("[{}] input shape {} and target shape {} must match", op,
                      shape_str(input.shape()), shape_str(target.shape()));
  }
}

void check_float_target(const Tensor& target, std::string_view op) {
  if (!is_floating(target.dtype())) {
    raise<TypeError>("[{}] expected a floating-point target, got {}", op,
                     dtype_name(target.dtype()));
  }
}

// Moves the class dim (1) last and flattens: [N, C, d...] -> [N*d..., C].
Tensor classes_last(const Tensor& x) {
  if (x.dim() <= 2) return x;
  Shape perm{0};
  for (int64_t d = 2; d < x.dim(); ++d) perm.push_back(d);
  perm.push_back(1);
  return reshape(permute(x, perm), {-1, x.size(1)});
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, std::string_view reduction) {
  check_reduction(reduction, "mse_loss");
  check_same_shape(input, target, "mse_loss");
  Tensor d = sub(input, target);
  return reduce(mul(d, d), reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, std::string_view reduction) {
  check_reduction(reduction, "l1_loss");
  check_same_shape(input, target, "l1_loss");
  return reduce(abs(sub(input, target)), reduction);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, std::string_view reduction,
                      double beta) {
  check_reduction(reduction, "smooth_l1_loss");
  check_same_shape(input, target, "smooth_l1_loss");
  if (beta < 0) raise<ValueError>("[smooth_l1_loss] beta must be non-negative, got {}", beta);
  Tensor d = abs(sub(input, target));
  if (beta == 0) return reduce(d, reduction);
  Tensor quad = div(mul(mul(d, d), Scalar(0.5)), Scalar(beta));
  return reduce(where(lt(d, Scalar(beta)), quad, sub(d, Scalar(0.5 * beta))), reduction);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, std::string_view reduction,
                  double delta) {
  check_reduction(reduction, "huber_loss");
  check_same_shape(input, target, "huber_loss");
  Tensor d = abs(sub(input, target));
  Tensor quad = mul(mul(d, d), Scalar(0.5));
  Tensor lin = mul(sub(d, Scalar(0.5 * delta)), Scalar(delta));
  return reduce(where(le(d, Scalar(delta)), quad, lin), reduction);
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                int64_t ignore_index, std::string_view reduction) {
  check_reduction(reduction, "nll_loss");
  if (input.dim() < 1) raise<ValueError>("[nll_loss] input must have a class dim, got a scalar");
  if (target.dtype() != DType::Int64 && target.dtype() != DType::Int32) {
    raise<TypeError>("[nll_loss] expected class indices of dtype int64 as target, got {}",
                     dtype_name(target.dtype()));
  }
  const bool batched = input.dim() >= 2;
  Shape expect;
  if (batched) {
    expect.push_back(input.size(0));
    for (int64_t d = 2; d < input.dim(); ++d) expect.push_back(input.size(d));
  }
  if (target.shape() != expect) {
    raise<ValueError>("[nll_loss] input of shape {} needs a target of shape {} (class indices), "
                      "got {}", shape_str(input.shape()), shape_str(expect),
                      shape_str(target.shape()));
  }
  const int64_t C = input.size(batched ? 1 : 0);
  Tensor logp = batched ? classes_last(input) : unsqueeze(input, 0);   // [M, C]
  Tensor tgt = reshape(to_dtype(target, DType::Int64), {-1});        // [M]
  Tensor valid = ne(tgt, Scalar(ignore_index));
  if (tgt.numel() > 0) {
    Tensor bad = logical_and(valid, logical_or(lt(tgt, Scalar(0)), ge(tgt, Scalar(C))));
    if (any(bad).item<bool>()) {
      raise<IndexError>("[nll_loss] target contains class indices outside [0, {}) (and not the "
                        "ignore_index {})", C, ignore_index);
    }
  }
  Tensor safe = where(valid, tgt, Scalar(int64_t{0}));
  Tensor picked = squeeze(gather(logp, 1, unsqueeze(safe, 1)), {1});  // [M]
  Tensor w = to_dtype(valid, input.dtype());
  if (weight.defined()) {
    if (weight.dim() != 1 || weight.size(0) != C) {
      raise<ValueError>("[nll_loss] weight must have shape [{}], got {}", C, shape_str(weight.shape()));
    }
    w = mul(w, index_select(weight, 0, safe));
  }
  Tensor loss = neg(mul(picked, w));
  if (reduction == "none") return batched ? reshape(loss, target.shape()) : squeeze(loss, {0});
  if (reduction == "sum") return sum(loss);
  return div(sum(loss), sum(w));
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     int64_t ignore_index, std::string_view reduction, double label_smoothing) {
  check_reduction(reduction, "cross_entropy");
  if (label_smoothing < 0 || label_smoothing > 1) {
    raise<ValueError>("[cross_entropy] label_smoothing must be in [0, 1], got {}", label_smoothing);
  }
  if (!is_floating(input.dtype())) {
    raise<TypeError>("[cross_entropy] expected floating-point logits, got {}", dtype_name(input.dtype()));
  }
  const int64_t class_dim = input.dim() >= 2 ? 1 : 0;
  Tensor logp = log_softmax(input, class_dim);
  const int64_t C = input.dim() ? input.size(class_dim) : 0;
  if (is_floating(target.dtype())) {  // class probabilities
    check_same_shape(input, target, "cross_entropy");
    Tensor t = target;
    if (label_smoothing > 0) t = add(mul(t, Scalar(1 - label_smoothing)), Scalar(label_smoothing / C));
    Tensor terms = mul(logp, t);
    if (weight.defined()) {
      Shape ws(input.dim(), 1);
      ws[class_dim] = C;
      terms = mul(terms, reshape(weight, ws));
    }
    Tensor loss = neg(sum(terms, {class_dim}));
    if (reduction == "none") return loss;
    if (reduction == "sum") return sum(loss);
    return mean(loss);
  }
  Tensor nll = nll_loss(logp, target, weight, ignore_index, reduction);
  if (label_smoothing == 0) return nll;
  // Smoothing term: the mean over classes of -log p (weighted), on non-ignored positions.
  Tensor lp = input.dim() >= 2 ? classes_last(logp) : unsqueeze(logp, 0);
  Tensor valid = to_dtype(ne(reshape(target, {-1}), Scalar(ignore_index)), input.dtype());
  Tensor per_class = weight.defined() ? mul(lp, weight) : lp;
  Tensor smooth = mul(neg(sum(per_class, {1})), valid);  // [M]
  Tensor s;
  if (reduction == "none") {
    s = input.dim() >= 2 ? reshape(smooth, target.shape()) : squeeze(smooth, {0});
  } else if (reduction == "sum") {
    s = sum(smooth);
  } else {
    Tensor denom = valid;
    if (weight.defined()) {
      Tensor safe = where(ne(reshape(target, {-1}), Scalar(ignore_index)),
                          reshape(to_dtype(target, DType::Int64), {-1}), Scalar(int64_t{0}));
      denom = mul(valid, index_select(weight, 0, safe));
    }
    s = div(sum(smooth), sum(denom));
  }
  return add(mul(nll, Scalar(1 - label_smoothing)), mul(s, Scalar(label_smoothing / C)));
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            std::string_view reduction) {
  check_reduction(reduction, "binary_cross_entropy");
  check_same_shape(input, target, "binary_cross_entropy");
  check_float_target(target, "binary_cross_entropy");
  // PyTorch clamps the logs at -100 so that p = 0 or 1 gives a finite loss.
  Tensor lp = clamp_min(log(input), Scalar(-100.0));
  Tensor lq = clamp_min(log(sub(scalar_tensor(1.0), input)), Scalar(-100.0));
  Tensor loss = neg(add(mul(target, lp), mul(sub(scalar_tensor(1.0), target), lq)));
  if (weight.defined()) loss = mul(loss, weight);
  return reduce(loss, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight, std::string_view reduction,
                                        const Tensor& pos_weight) {
  check_reduction(reduction, "binary_cross_entropy_with_logits");
  check_same_shape(input, target, "binary_cross_entropy_with_logits");
  check_float_target(target, "binary_cross_entropy_with_logits");
  // log(1 + exp(-|x|)) + max(-x, 0): stable for large |x|.
  Tensor log_sig_neg = add(log1p(exp(neg(abs(input)))), clamp_min(neg(input), Scalar(0.0)));
  Tensor loss;
  if (pos_weight.defined()) {
    Tensor lw = add(mul(sub(pos_weight, Scalar(1.0)), target), Scalar(1.0));
    loss = add(mul(sub(scalar_tensor(1.0), target), input), mul(lw, log_sig_neg));
  } else {
    loss = add(mul(sub(scalar_tensor(1.0), target), input), log_sig_neg);
  }
  if (weight.defined()) loss = mul(loss, weight);
  return reduce(loss, reduction);
}

Tensor kl_div(const Tensor& input, const Tensor& target, std::string_view reduction,
              bool log_target) {
  check_reduction(reduction, "kl_div", /*allow_batchmean=*/true);
  Tensor loss;
  if (log_target) {
    loss = mul(exp(target), sub(target, input));
  } else {
    // xlogy: 0 where target == 0
    Tensor pos = gt(target, Scalar(0.0));
    Tensor safe = where(pos, target, Scalar(1.0));
    loss = where(pos, mul(target, sub(log(safe), input)), Scalar(0.0));
  }
  if (reduction == "batchmean") {
    return input.dim() ? div(sum(loss), Scalar(input.size(0))) : sum(loss);
  }
  return reduce(loss, reduction);
}

// ---- modules
Loss::Loss(std::string type_name, std::string r) : Module(std::move(type_name)), reduction(std::move(r)) {}

TensorList Loss::forward(const TensorList& in) {
  if (in.size() != 2) {
    raise<ValueError>("[{}] forward takes (input, target), got {} tensors", type_name(), in.size());
  }
  return {compute(in[0], in[1])};
}

Tensor Loss::operator()(const Tensor& input, const Tensor& target) {
  return Module::operator()(TensorList{input, target}).at(0);
}

std::string Loss::extra_repr() const { return reduction == "mean" ? "" : "reduction='" + reduction + "'"; }

Tensor MSELoss::compute(const Tensor& i, const Tensor& t) { return mse_loss(i, t, reduction); }
Tensor L1Loss::compute(const Tensor& i, const Tensor& t) { return l1_loss(i, t, reduction); }
Tensor SmoothL1Loss::compute(const Tensor& i, const Tensor& t) {
  return smooth_l1_loss(i, t, reduction, beta);
}
Tensor HuberLoss::compute(const Tensor& i, const Tensor& t) { return huber_loss(i, t, reduction, delta); }

CrossEntropyLoss::CrossEntropyLoss(Tensor weight, int64_t ignore_index, std::string reduction,
                                   double label_smoothing)
    : Loss("CrossEntropyLoss", std::move(reduction)), ignore_index(ignore_index),
      label_smoothing(label_smoothing) {
  register_buffer("weight", weight);
}
Tensor CrossEntropyLoss::compute(const Tensor& i, const Tensor& t) {
  return cross_entropy(i, t, buffer("weight"), ignore_index, reduction, label_smoothing);
}

NLLLoss::NLLLoss(Tensor weight, int64_t ignore_index, std::string reduction)
    : Loss("NLLLoss", std::move(reduction)), ignore_index(ignore_index) {
  register_buffer("weight", weight);
}
Tensor NLLLoss::compute(const Tensor& i, const Tensor& t) {
  return nll_loss(i, t, buffer("weight"), ignore_index, reduction);
}

BCELoss::BCELoss(Tensor weight, std::string reduction) : Loss("BCELoss", std::move(reduction)) {
  register_buffer("weight", weight);
}
Tensor BCELoss::compute(const Tensor& i, const Tensor& t) {
  return binary_cross_entropy(i, t, buffer("weight"), reduction);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(Tensor weight, std::string reduction, Tensor pos_weight)
    : Loss("BCEWithLogitsLoss", std::move(reduction)) {
  register_buffer("weight", weight);
  register_buffer("pos_weight", pos_weight);
}
Tensor BCEWithLogitsLoss::compute(const Tensor& i, const Tensor& t) {
  return binary_cross_entropy_with_logits(i, t, buffer("weight"), reduction, buffer("pos_weight"));
}

Tensor KLDivLoss::compute(const Tensor& i, const Tensor& t) { return kl_div(i, t, reduction, log_target); }

}  // namespace ember::nn
