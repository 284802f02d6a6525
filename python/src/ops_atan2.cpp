// atan2 (NumPy's name arctan2 as an alias): ember.atan2(input, other), Tensor.atan2 and the
// in-place Tensor.atan2_. Numbers on either side become wrapped 0-dim tensors.
#include "python/src/bindings.h"

namespace ember::python {
namespace {

Tensor atan2_any(py::handle y, py::handle x) {
  return atan2(as_tensor_arg(y, "atan2"), as_tensor_arg(x, "atan2"));
}

py::object atan2_inplace(py::object self, py::handle x) {
  atan2_(self.cast<Tensor&>(), as_tensor_arg(x, "atan2_"));
  return self;
}

void bind_atan2(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  m.def("atan2", &atan2_any, py::arg("input"), py::arg("other"),
        "The angle of the point (other, input) in radians, in [-pi, pi]; ints give the "
        "default floating dtype.");
  m.attr("arctan2") = m.attr("atan2");
  T.def(
       "atan2", [](const Tensor& y, py::handle x) { return atan2_any(py::cast(y), x); },
       py::arg("other"))
      .def("atan2_", &atan2_inplace, py::arg("other"));
  T.attr("arctan2") = T.attr("atan2");
  T.attr("arctan2_") = T.attr("atan2_");
}
EMBER_PY_BINDING(20, bind_atan2);

}  // namespace
}  // namespace ember::python
