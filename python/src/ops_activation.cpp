// Activations on ember and as Tensor methods: relu, gelu, silu, softplus, leaky_relu, elu,
// hardtanh, relu6, clamp (number or tensor bounds; clip alias) and the in-place forms.
#include "python/src/bindings.h"

namespace ember::python {
namespace {

// clamp(t, min, max) with each bound None, a number, or a tensor.
Tensor clamp_any(const Tensor& t, py::handle lo, py::handle hi, const char* name) {
  if (lo.is_none() && hi.is_none()) {
    raise<ValueError>("[{}] at least one of min or max must be given", name);
  }
  auto slo = lo.is_none() ? std::nullopt : as_scalar(lo);
  auto shi = hi.is_none() ? std::nullopt : as_scalar(hi);
  bool numbers = (lo.is_none() || slo) && (hi.is_none() || shi);
  if (numbers) return clamp(t, slo, shi);
  Tensor tlo = lo.is_none() ? Tensor() : as_tensor_arg(lo, name);
  Tensor thi = hi.is_none() ? Tensor() : as_tensor_arg(hi, name);
  return clamp(t, tlo, thi);
}

Tensor& clamp_any_(Tensor& t, py::handle lo, py::handle hi) {
  if (lo.is_none() && hi.is_none()) {
    raise<ValueError>("[clamp_] at least one of min or max must be given");
  }
  auto slo = lo.is_none() ? std::nullopt : as_scalar(lo);
  auto shi = hi.is_none() ? std::nullopt : as_scalar(hi);
  if ((lo.is_none() || slo) && (hi.is_none() || shi)) return clamp_(t, slo, shi);
  Tensor tlo = lo.is_none() ? Tensor() : as_tensor_arg(lo, "clamp_");
  Tensor thi = hi.is_none() ? Tensor() : as_tensor_arg(hi, "clamp_");
  return clamp_(t, tlo, thi);
}

// Like PyTorch, activations take tensors only.
Tensor tensor_of(py::handle x, const char* name) {
  if (!py::isinstance<Tensor>(x)) {
    raise<TypeError>("[{}] expected a Tensor, got {}", name,
                     py::str(py::type::handle_of(x).attr("__name__")).cast<std::string>());
  }
  return x.cast<Tensor>();
}

void bind_activation(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));

  m.def("relu", [](py::handle x) { return relu(tensor_of(x, "relu")); }, py::arg("input"));
  m.def("relu6", [](py::handle x) { return relu6(tensor_of(x, "relu6")); }, py::arg("input"));
  m.def("gelu", [](py::handle x, const std::string& approximate) {
    return gelu(tensor_of(x, "gelu"), approximate);
  }, py::arg("input"), py::kw_only(), py::arg("approximate") = "none");
  m.def("silu", [](py::handle x) { return silu(tensor_of(x, "silu")); }, py::arg("input"));
  m.def("softplus", [](py::handle x, double beta, double threshold) {
    return softplus(tensor_of(x, "softplus"), beta, threshold);
  }, py::arg("input"), py::arg("beta") = 1.0, py::arg("threshold") = 20.0);
  m.def("leaky_relu", [](py::handle x, double slope) {
    return leaky_relu(tensor_of(x, "leaky_relu"), slope);
  }, py::arg("input"), py::arg("negative_slope") = 0.01);
  m.def("elu", [](py::handle x, double alpha) { return elu(tensor_of(x, "elu"), alpha); },
        py::arg("input"), py::arg("alpha") = 1.0);
  m.def("hardtanh", [](py::handle x, double lo, double hi) {
    return hardtanh(tensor_of(x, "hardtanh"), lo, hi);
  }, py::arg("input"), py::arg("min_val") = -1.0, py::arg("max_val") = 1.0);
  m.def("clamp", [](py::handle x, py::handle lo, py::handle hi) {
    return clamp_any(tensor_of(x, "clamp"), lo, hi, "clamp");
  }, py::arg("input"), py::arg("min") = py::none(), py::arg("max") = py::none());
  m.attr("clip") = m.attr("clamp");
  m.def("clamp_min", [](py::handle x, py::handle lo) {
    return clamp_any(tensor_of(x, "clamp_min"), lo, py::none(), "clamp_min");
  }, py::arg("input"), py::arg("min"));
  m.def("clamp_max", [](py::handle x, py::handle hi) {
    return clamp_any(tensor_of(x, "clamp_max"), py::none(), hi, "clamp_max");
  }, py::arg("input"), py::arg("max"));
  m.def("relu_", [](py::object x) {
    relu_(x.cast<Tensor&>());
    return x;
  }, py::arg("input"));

  T.def("relu", [](const Tensor& x) { return relu(x); })
      .def("relu_", [](py::object self) {
        relu_(self.cast<Tensor&>());
        return self;
      })
      .def("relu6", [](const Tensor& x) { return relu6(x); })
      .def("gelu", [](const Tensor& x, const std::string& approximate) {
        return gelu(x, approximate);
      }, py::kw_only(), py::arg("approximate") = "none")
      .def("silu", [](const Tensor& x) { return silu(x); })
      .def("softplus", [](const Tensor& x, double beta, double threshold) {
        return softplus(x, beta, threshold);
      }, py::arg("beta") = 1.0, py::arg("threshold") = 20.0)
      .def("leaky_relu", [](const Tensor& x, double slope) { return leaky_relu(x, slope); },
           py::arg("negative_slope") = 0.01)
      .def("elu", [](const Tensor& x, double alpha) { return elu(x, alpha); },
           py::arg("alpha") = 1.0)
      .def("hardtanh", [](const Tensor& x, double lo, double hi) { return hardtanh(x, lo, hi); },
           py::arg("min_val") = -1.0, py::arg("max_val") = 1.0)
      .def("clamp", [](const Tensor& x, py::handle lo, py::handle hi) {
        return clamp_any(x, lo, hi, "clamp");
      }, py::arg("min") = py::none(), py::arg("max") = py::none())
      .def("clamp_", [](py::object self, py::handle lo, py::handle hi) {
        clamp_any_(self.cast<Tensor&>(), lo, hi);
        return self;
      }, py::arg("min") = py::none(), py::arg("max") = py::none())
      .def("clamp_min", [](const Tensor& x, py::handle lo) {
        return clamp_any(x, lo, py::none(), "clamp_min");
      }, py::arg("min"))
      .def("clamp_max", [](const Tensor& x, py::handle hi) {
        return clamp_any(x, py::none(), hi, "clamp_max");
      }, py::arg("max"));
  T.attr("clip") = T.attr("clamp");
  T.attr("clip_") = T.attr("clamp_");
}
EMBER_PY_BINDING(22, bind_activation);

}  // namespace
}  // namespace ember::python
