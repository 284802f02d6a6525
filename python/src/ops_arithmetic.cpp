// add, sub, mul, div (with rounding_mode), pow, maximum, minimum, remainder, fmod,
// floor_divide and their operators (+ - * / // % **, in-place and reflected forms).
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);
using InplaceFn = Tensor& (*)(Tensor&, const Tensor&);

template <BinaryFn F>
Tensor call(py::handle a, py::handle b, const char* name) {
  return F(as_tensor_arg(a, name), as_tensor_arg(b, name));
}

std::optional<std::string_view> rounding_arg(py::handle mode) {
  if (mode.is_none()) return std::nullopt;
  if (!py::isinstance<py::str>(mode)) {
    raise<TypeError>("[div] rounding_mode must be None, 'trunc' or 'floor', got {}",
                     py::str(py::repr(mode)).cast<std::string>());
  }
  return py::cast<std::string_view>(mode);
}

// pow(a, b): a number exponent takes the exact scalar-exponent kernel; a number base
// becomes a wrapped 0-dim tensor.
Tensor pow_any(py::handle a, py::handle b) {
  if (!py::isinstance<Tensor>(a) && py::isinstance<Tensor>(b)) {
    if (auto s = as_scalar(a)) return pow(*s, b.cast<Tensor>());
  }
  Tensor ta = as_tensor_arg(a, "pow");
  if (auto s = as_scalar(b)) return pow(ta, *s);
  return pow(ta, as_tensor_arg(b, "pow"));
}

// float_power: pow computed in float64 (PyTorch's torch.float_power).
Tensor float_power_any(py::handle a, py::handle b) {
  Tensor ta = to_dtype(as_tensor_arg(a, "float_power"), DType::Float64);
  if (auto s = as_scalar(b)) return pow(ta, Scalar(s->to_double()));
  return pow(ta, to_dtype(as_tensor_arg(b, "float_power"), DType::Float64));
}

template <InplaceFn F>
py::object inplace(py::object self, py::handle other, const char* name) {
  F(self.cast<Tensor&>(), as_tensor_arg(other, name));
  return self;
}

py::object pow_inplace(py::object self, py::handle other) {
  Tensor& t = self.cast<Tensor&>();
  if (auto s = as_scalar(other)) {
    pow_(t, *s);
  } else {
    pow_(t, as_tensor_arg(other, "pow_"));
  }
  return self;
}

void bind_more_arithmetic(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  m.def("pow", &pow_any, py::arg("input"), py::arg("exponent"));
  m.def("float_power", &float_power_any, py::arg("input"), py::arg("exponent"));
  T.def("float_power", [](const Tensor& a, py::handle b) { return float_power_any(py::cast(a), b); },
        py::arg("exponent"));
  m.def("maximum", [](py::handle a, py::handle b) { return call<maximum>(a, b, "maximum"); },
        py::arg("input"), py::arg("other"));
  m.def("minimum", [](py::handle a, py::handle b) { return call<minimum>(a, b, "minimum"); },
        py::arg("input"), py::arg("other"));
  m.def("remainder", [](py::handle a, py::handle b) { return call<remainder>(a, b, "remainder"); },
        py::arg("input"), py::arg("other"));
  m.def("fmod", [](py::handle a, py::handle b) { return call<fmod>(a, b, "fmod"); },
        py::arg("input"), py::arg("other"));
  m.def("floor_divide", [](py::handle a, py::handle b) {
    return call<floor_divide>(a, b, "floor_divide");
  }, py::arg("input"), py::arg("other"));

  T.def("pow", [](const Tensor& a, py::handle b) { return pow_any(py::cast(a), b); },
        py::arg("exponent"))
      .def("pow_", &pow_inplace, py::arg("exponent"))
      .def("__pow__", [](const Tensor& a, py::handle b) { return pow_any(py::cast(a), b); },
           py::is_operator())
      .def("__rpow__", [](const Tensor& a, py::handle b) { return pow_any(b, py::cast(a)); },
           py::is_operator())
      .def("__ipow__", &pow_inplace, py::is_operator())
      .def("maximum", [](const Tensor& a, py::handle b) {
        return maximum(a, as_tensor_arg(b, "maximum"));
      }, py::arg("other"))
      .def("minimum", [](const Tensor& a, py::handle b) {
        return minimum(a, as_tensor_arg(b, "minimum"));
      }, py::arg("other"))
      .def("remainder", [](const Tensor& a, py::handle b) {
        return remainder(a, as_tensor_arg(b, "remainder"));
      }, py::arg("other"))
      .def("fmod", [](const Tensor& a, py::handle b) { return fmod(a, as_tensor_arg(b, "fmod")); },
           py::arg("other"))
      .def("floor_divide", [](const Tensor& a, py::handle b) {
        return floor_divide(a, as_tensor_arg(b, "floor_divide"));
      }, py::arg("other"))
      .def("remainder_", [](py::object s, py::handle b) {
        return inplace<remainder_>(s, b, "remainder_");
      }, py::arg("other"))
      .def("fmod_", [](py::object s, py::handle b) { return inplace<fmod_>(s, b, "fmod_"); },
           py::arg("other"))
      .def("floor_divide_", [](py::object s, py::handle b) {
        return inplace<floor_divide_>(s, b, "floor_divide_");
      }, py::arg("other"))
      .def("__floordiv__", [](const Tensor& a, py::handle b) {
        return floor_divide(a, as_tensor_arg(b, "floor_divide"));
      }, py::is_operator())
      .def("__rfloordiv__", [](const Tensor& a, py::handle b) {
        return floor_divide(as_tensor_arg(b, "floor_divide"), a);
      }, py::is_operator())
      .def("__ifloordiv__", [](py::object s, py::handle b) {
        return inplace<floor_divide_>(s, b, "floor_divide_");
      }, py::is_operator())
      .def("__mod__", [](const Tensor& a, py::handle b) {
        return remainder(a, as_tensor_arg(b, "remainder"));
      }, py::is_operator())
      .def("__rmod__", [](const Tensor& a, py::handle b) {
        return remainder(as_tensor_arg(b, "remainder"), a);
      }, py::is_operator())
      .def("__imod__", [](py::object s, py::handle b) {
        return inplace<remainder_>(s, b, "remainder_");
      }, py::is_operator());
}
EMBER_PY_BINDING(20, bind_more_arithmetic);

void bind_arithmetic(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));

  m.def("add", [](py::handle a, py::handle b, py::handle alpha) {
    Tensor ta = as_tensor_arg(a, "add"), tb = as_tensor_arg(b, "add");
    if (alpha.is_none()) return add(ta, tb);
    return add(ta, tb, *as_scalar(alpha));
  }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = py::none());
  m.def("sub", [](py::handle a, py::handle b, py::handle alpha) {
    Tensor ta = as_tensor_arg(a, "sub"), tb = as_tensor_arg(b, "sub");
    return alpha.is_none() ? sub(ta, tb) : sub(ta, tb, *as_scalar(alpha));
  }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = py::none());
  m.def("mul", [](py::handle a, py::handle b) { return call<mul>(a, b, "mul"); });
  m.def("div", [](py::handle a, py::handle b, py::handle mode) {
    return div(as_tensor_arg(a, "div"), as_tensor_arg(b, "div"), rounding_arg(mode));
  }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none());
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
      .def("sub", [](const Tensor& a, py::handle b, py::handle alpha) {
        Tensor tb = as_tensor_arg(b, "sub");
        return alpha.is_none() ? sub(a, tb) : sub(a, tb, *as_scalar(alpha));
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = py::none())
      .def("mul", [](const Tensor& a, py::handle b) { return mul(a, as_tensor_arg(b, "mul")); })
      .def("div", [](const Tensor& a, py::handle b, py::handle mode) {
        return div(a, as_tensor_arg(b, "div"), rounding_arg(mode));
      }, py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none())
      .def("add_", [](Tensor& a, py::handle b, py::handle alpha) {
        Tensor tb = as_tensor_arg(b, "add_");
        if (!alpha.is_none()) tb = mul(tb, *as_scalar(alpha));
        return add_(a, tb);
      }, py::arg("other"), py::kw_only(), py::arg("alpha") = py::none())
      .def("sub_", [](Tensor& a, py::handle b) { return sub_(a, as_tensor_arg(b, "sub_")); })
      .def("mul_", [](Tensor& a, py::handle b) { return mul_(a, as_tensor_arg(b, "mul_")); })
      .def("div_", [](py::object self, py::handle b, py::handle mode) {
        div_(self.cast<Tensor&>(), as_tensor_arg(b, "div_"), rounding_arg(mode));
        return self;
      }, py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none());
  T.attr("divide") = T.attr("div");
  T.attr("true_divide") = T.attr("div");
  T.attr("multiply") = T.attr("mul");
  T.attr("subtract") = T.attr("sub");
}
EMBER_PY_BINDING(20, bind_arithmetic);

}  // namespace
}  // namespace ember::python
