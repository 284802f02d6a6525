// add, sub, mul, div and their operators (+, -, *, /, in-place and reflected forms).
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);
using InplaceFn = Tensor& (*)(Tensor&, const Tensor&);

template <BinaryFn F>
Tensor call(py::handle a, py::handle b, const char* name) {
  return F(as_tensor_arg(a, name), as_tensor_arg(b, name));
}

void bind_arithmetic(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));

  m.def("add", [](py::handle a, py::handle b, py::handle alpha) {
    Tensor ta = as_tensor_arg(a, "add"), tb = as_tensor_arg(b, "add");
    if (alpha.is_none()) return add(ta, tb);
    return add(ta, tb, *as_scalar(alpha));
  }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = py::none());
  m.def("sub", [](py::handle a, py::handle b) { return call<sub>(a, b, "sub"); });
  m.def("mul", [](py::handle a, py::handle b) { return call<mul>(a, b, "mul"); });
  m.def("div", [](py::handle a, py::handle b) { return call<div>(a, b, "div"); });
  m.attr("subtract") = m.attr("sub");
  m.attr("multiply") = m.attr("mul");
  m.attr("divide") = m.attr("div");
  m.attr("true_divide") = m.attr("div");

  // Tensor (op) Tensor first: pybind11 tries overloads in order, and this is the hot one.
  T.def("__add__", [](const Tensor& a, const Tensor& b) { return add(a, b); }, py::is_operator())
      .def("__add__", [](const Tensor& a, py::handle b) { return add(a, as_tensor_arg(b, "add")); }, py::is_operator())
      .def("__radd__", [](const Tensor& a, py::handle b) { return add(as_tensor_arg(b, "add"), a); }, py::is_operator())
      .def("__sub__", [](const Tensor& a, const Tensor& b) { return sub(a, b); }, py::is_operator())
      .def("__sub__", [](const Tensor& a, py::handle b) { return sub(a, as_tensor_arg(b, "sub")); }, py::is_operator())
      .def("__rsub__", [](const Tensor& a, py::handle b) { return sub(as_tensor_arg(b, "sub"), a); }, py::is_operator())
      .def("__mul__", [](const Tensor& a, const Tensor& b) { return mul(a, b); }, py::is_operator())
      .def("__mul__", [](const Tensor& a, py::handle b) { return mul(a, as_tensor_arg(b, "mul")); }, py::is_operator())
      .def("__rmul__", [](const Tensor& a, py::handle b) { return mul(as_tensor_arg(b, "mul"), a); }, py::is_operator())
      .def("__truediv__", [](const Tensor& a, const Tensor& b) { return div(a, b); }, py::is_operator())
      .def("__truediv__", [](const Tensor& a, py::handle b) { return div(a, as_tensor_arg(b, "div")); }, py::is_operator())
      .def("__rtruediv__", [](const Tensor& a, py::handle b) { return div(as_tensor_arg(b, "div"), a); }, py::is_operator())
      .def("__iadd__", [](Tensor& a, py::handle b) { return add_(a, as_tensor_arg(b, "add_")); }, py::is_operator())
      .def("__isub__", [](Tensor& a, py::handle b) { return sub_(a, as_tensor_arg(b, "sub_")); }, py::is_operator())
      .def("__imul__", [](Tensor& a, py::handle b) { return mul_(a, as_tensor_arg(b, "mul_")); }, py::is_operator())
      .def("__itruediv__", [](Tensor& a, py::handle b) { return div_(a, as_tensor_arg(b, "div_")); }, py::is_operator())
      .def("__neg__", [](const Tensor& a) { return neg(a); })
      .def("add", [](const Tensor& a, py::handle b, py::handle alpha) {
        Tensor tb = as_tensor_arg(b, "add");
        return alpha.is_none() ? add(a, tb) : add(a, tb, *as_scalar(alpha));
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = py::none())
      .def("sub", [](const Tensor& a, py::handle b) { return sub(a, as_tensor_arg(b, "sub")); })
      .def("mul", [](const Tensor& a, py::handle b) { return mul(a, as_tensor_arg(b, "mul")); })
      .def("div", [](const Tensor& a, py::handle b) { return div(a, as_tensor_arg(b, "div")); })
      .def("add_", [](Tensor& a, py::handle b, py::handle alpha) {
        Tensor tb = as_tensor_arg(b, "add_");
        if (!alpha.is_none()) tb = mul(tb, *as_scalar(alpha));
        return add_(a, tb);
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = py::none())
      .def("sub_", [](Tensor& a, py::handle b) { return sub_(a, as_tensor_arg(b, "sub_")); })
      .def("mul_", [](Tensor& a, py::handle b) { return mul_(a, as_tensor_arg(b, "mul_")); })
      .def("div_", [](Tensor& a, py::handle b) { return div_(a, as_tensor_arg(b, "div_")); });
}
EMBER_PY_BINDING(20, bind_arithmetic);

}  // namespace
}  // namespace ember::python
