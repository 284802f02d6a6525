#pragma once
// Runs graph nodes through the eager dispatcher (dispatch / dispatch_inplace), one op at a
// time, so each op records autograd history exactly as the eager call it was traced from:
// the differentiable (and slower) way to evaluate a graph, which create_graph backward
// through a replay uses (differentiable_replay.h). The executor is the fast way.
#include <span>
#include <vector>

#include "trace/graph.h"

namespace ember::trace {

// The tensor bound to v: values[v], or, for captures and constants not bound yet, the
// graph's tensor (which is then bound). Raises if v is an input or a node result not bound.
const Tensor& bound_value(const Graph& g, std::vector<Tensor>& values, ValueId v);

// Dispatches g's nodes `nodes` (indices, in order), reading their inputs from `values` (one
// slot per value of g; bind the inputs first) and storing their results there.
void dispatch_nodes(const Graph& g, std::span<const int32_t> nodes, std::vector<Tensor>& values);
// All of g's nodes; returns g's outputs.
std::vector<Tensor> dispatch_graph(const Graph& g, std::vector<Tensor>& values);

}  // namespace ember::trace
