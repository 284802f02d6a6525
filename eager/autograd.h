#pragma once
// The autograd API: gradients of tensors, backward, hooks. Reverse mode over the nodes
// recorded by dispatch (see node.h); backward ops are dispatched, so create_graph=true
// builds a differentiable graph of the backward pass (higher-order gradients).
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "eager/autograd_meta.h"
#include "eager/grad_mode.h"

namespace ember {

Tensor grad_of(const Tensor& t);  // .grad (undefined if none)
void set_grad(const Tensor& t, const Tensor& g);
bool is_leaf(const Tensor& t);
std::shared_ptr<Node> grad_fn(const Tensor& t);
// requires_grad_(): only on leaves (raises on a non-leaf asked to stop requiring grad).
void set_requires_grad(const Tensor& t, bool requires_grad);
void retain_grad(const Tensor& t);
bool retains_grad(const Tensor& t);

// Registers a hook on t's gradient; returns a handle for remove_hook.
int64_t register_hook(const Tensor& t, GradHook hook);

// t.backward(gradient, retain_graph, create_graph). `gradient` may be omitted for a
// one-element t (implicitly ones).
void backward(const Tensor& t, const Tensor& gradient = Tensor(), bool retain_graph = false,
              bool create_graph = false);
void backward(std::span<const Tensor> tensors, std::span<const Tensor> gradients,
              bool retain_graph, bool create_graph, std::span<const Tensor> inputs = {});

// autograd.grad: gradients of outputs w.r.t. inputs, returned instead of accumulated.
// Unused inputs raise unless allow_unused, in which case their entry is undefined.
std::vector<Tensor> grad(std::span<const Tensor> outputs, std::span<const Tensor> inputs,
                         std::span<const Tensor> grad_outputs = {},
                         std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false);

// Anomaly mode: name the op whose backward first produced NaN/Inf. With check_forward, also
// the first op whose forward made NaN/Inf out of finite inputs (off by default: masked
// computations such as where(x > 0, log(x), 0) make infinities on purpose).
bool is_anomaly_enabled();
bool is_anomaly_check_forward_enabled();
void set_anomaly_enabled(bool enabled, bool check_forward = false);

}  // namespace ember
