#include "python/src/bindings.h"

#include "eager/function_node.h"

namespace ember::python {
namespace {

std::vector<Tensor> tensor_seq(py::handle h) {
  if (py::isinstance<Tensor>(h)) return {h.cast<Tensor>()};
  return h.cast<std::vector<Tensor>>();
}


// A Python callable kept by a FunctionNode: it may be dropped on a thread without the GIL.
std::shared_ptr<py::object> gil_held(py::object f) {
  return std::shared_ptr<py::object>(new py::object(std::move(f)), [](py::object* o) {
    py::gil_scoped_acquire gil;
    delete o;
  });
}

std::vector<Tensor> optional_tensors(py::handle seq) {
  std::vector<Tensor> out;
  for (py::handle h : seq) out.push_back(h.is_none() ? Tensor() : h.cast<Tensor>());
  return out;
}

void bind_function_node(py::module_& m) {
  // ember.autograd.Function: `backward(grads: tuple) -> sequence` gets None for outputs no
  // gradient reached and returns one entry (Tensor or None) per forward input.
  m.def("_attach_function_node", [](const std::string& name, py::sequence inputs,
                                    py::sequence outputs, py::object backward_fn) {
    std::vector<Tensor> ins = optional_tensors(inputs), outs = optional_tensors(outputs);
    auto fn = gil_held(std::move(backward_fn));
    return attach_function_node(name, ins, outs, [fn](TensorList grads) {
      py::gil_scoped_acquire gil;
      py::tuple args(grads.size());
      for (size_t i = 0; i < grads.size(); ++i) {
        args[i] = grads[i].defined() ? py::cast(grads[i]) : py::none();
      }
      py::object r = (*fn)(args);
      TensorList out;
      for (py::handle h : r) out.push_back(h.is_none() ? Tensor() : h.cast<Tensor>());
      return out;
    });
  });
}

void bind_autograd(py::module_& m) {
  m.def("is_grad_enabled", &is_grad_enabled);
  m.def("set_grad_enabled", &set_grad_enabled, py::arg("mode"));
  m.def("is_anomaly_enabled", &is_anomaly_enabled);
  m.def("is_anomaly_check_forward_enabled", &is_anomaly_check_forward_enabled);
  m.def("set_anomaly_enabled", &set_anomaly_enabled, py::arg("mode"),
        py::arg("check_forward") = false);
  m.def("autograd_grad", [](py::object outputs, py::object inputs, py::object grad_outputs,
                            py::object retain_graph, bool create_graph, bool allow_unused) {
    std::vector<Tensor> outs = tensor_seq(outputs), ins = tensor_seq(inputs), gos;
    if (!grad_outputs.is_none()) {
      for (py::handle g : py::isinstance<Tensor>(grad_outputs) ? py::list(py::make_tuple(grad_outputs))
                                                               : py::list(grad_outputs)) {
        gos.push_back(g.is_none() ? Tensor() : g.cast<Tensor>());
      }
    }
    std::optional<bool> keep;
    if (!retain_graph.is_none()) keep = retain_graph.cast<bool>();
    auto res = grad(outs, ins, gos, keep, create_graph, allow_unused);
    py::tuple out(res.size());
    for (size_t i = 0; i < res.size(); ++i) out[i] = res[i].defined() ? py::cast(res[i]) : py::none();
    return out;
  }, py::arg("outputs"), py::arg("inputs"), py::arg("grad_outputs") = py::none(),
     py::arg("retain_graph") = py::none(), py::arg("create_graph") = false,
     py::arg("allow_unused") = false);
  m.def("autograd_backward", [](py::object tensors, py::object grads, py::object retain_graph,
                                bool create_graph, py::object inputs) {
    std::vector<Tensor> ts = tensor_seq(tensors), gs, ins;
    if (!grads.is_none()) {
      for (py::handle g : py::isinstance<Tensor>(grads) ? py::list(py::make_tuple(grads)) : py::list(grads)) {
        gs.push_back(g.is_none() ? Tensor() : g.cast<Tensor>());
      }
    }
    if (!inputs.is_none()) ins = tensor_seq(inputs);
    bool keep = retain_graph.is_none() ? create_graph : retain_graph.cast<bool>();
    backward(ts, gs, keep, create_graph, ins);
  }, py::arg("tensors"), py::arg("grad_tensors") = py::none(), py::arg("retain_graph") = py::none(),
     py::arg("create_graph") = false, py::arg("inputs") = py::none());
}
EMBER_PY_BINDING(20, bind_autograd);
EMBER_PY_BINDING(20, bind_function_node);

}  // namespace
}  // namespace ember::python
