// Comparisons (==, <, ... with bool results), logical and bitwise ops (&, |, ^, ~), where,
// isclose/allclose/equal.
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);
using InplaceFn = Tensor& (*)(Tensor&, const Tensor&);

struct BinaryEntry {
  const char* name;
  BinaryFn fn;
};

constexpr BinaryEntry kBinary[] = {
    {"eq", eq},
    {"ne", ne},
    {"lt", lt},
    {"le", le},
    {"gt", gt},
    {"ge", ge},
    {"logical_and", logical_and},
    {"logical_or", logical_or},
    {"logical_xor", logical_xor},
    {"bitwise_and", bitwise_and},
    {"bitwise_or", bitwise_or},
    {"bitwise_xor", bitwise_xor},
};

constexpr std::pair<const char*, const char*> kAliases[] = {
    {"greater", "gt"},       {"greater_equal", "ge"}, {"less", "lt"},
    {"less_equal", "le"},    {"not_equal", "ne"},
};

// Operator form: a Tensor or a number on the right, else NotImplemented (so `t == None`
// is False and `t == "x"` falls back to Python's rules, as for PyTorch).
py::object op_or_not_implemented(BinaryFn fn, const Tensor& a, py::handle b, bool reflected) {
  Tensor tb;
  if (py::isinstance<Tensor>(b)) {
    tb = b.cast<Tensor>();
  } else if (auto s = as_scalar(b)) {
    tb = scalar_tensor(*s);
  } else {
    return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  }
  return py::cast(reflected ? fn(tb, a) : fn(a, tb));
}

void def_operator(py::class_<Tensor>& T, const char* dunder, BinaryFn fn, bool reflected = false) {
  T.def(dunder, [fn, reflected](const Tensor& a, py::handle b) {
    return op_or_not_implemented(fn, a, b, reflected);
  }, py::is_operator());
}

void def_inplace(py::class_<Tensor>& T, const char* name, InplaceFn fn) {
  T.def(name, [fn, name](py::object self, py::handle other) {
    fn(self.cast<Tensor&>(), as_tensor_arg(other, name));
    return self;
  });
}

void bind_comparison(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  for (const BinaryEntry& e : kBinary) {
    BinaryFn fn = e.fn;
    const char* name = e.name;
    m.def(name, [fn, name](py::handle a, py::handle b) {
      return fn(as_tensor_arg(a, name), as_tensor_arg(b, name));
    }, py::arg("input"), py::arg("other"));
    T.def(name, [fn, name](const Tensor& a, py::handle b) { return fn(a, as_tensor_arg(b, name)); },
          py::arg("other"));
  }
  for (auto [alias, name] : kAliases) {
    m.attr(alias) = m.attr(name);
    T.attr(alias) = T.attr(name);
  }
  m.def("bitwise_not", [](const Tensor& t) { return bitwise_not(t); }, py::arg("input"));
  T.def("bitwise_not", [](const Tensor& t) { return bitwise_not(t); });

  // __hash__ is defined by the Tensor class before this runs, so defining __eq__ here keeps
  // tensors hashable (pybind11 only clears __hash__ when the class has none).
  def_operator(T, "__eq__", eq);
  def_operator(T, "__ne__", ne);
  def_operator(T, "__lt__", lt);
  def_operator(T, "__le__", le);
  def_operator(T, "__gt__", gt);
  def_operator(T, "__ge__", ge);
  def_operator(T, "__and__", bitwise_and);
  def_operator(T, "__or__", bitwise_or);
  def_operator(T, "__xor__", bitwise_xor);
  def_operator(T, "__rand__", bitwise_and, /*reflected=*/true);
  def_operator(T, "__ror__", bitwise_or, /*reflected=*/true);
  def_operator(T, "__rxor__", bitwise_xor, /*reflected=*/true);
  T.def("__invert__", [](const Tensor& t) { return bitwise_not(t); });
  def_inplace(T, "__iand__", bitwise_and_);
  def_inplace(T, "__ior__", bitwise_or_);
  def_inplace(T, "__ixor__", bitwise_xor_);
  def_inplace(T, "bitwise_and_", bitwise_and_);
  def_inplace(T, "bitwise_or_", bitwise_or_);
  def_inplace(T, "bitwise_xor_", bitwise_xor_);

  m.def("where", [](const Tensor& cond, py::handle a, py::handle b) {
    return where(cond, as_tensor_arg(a, "where"), as_tensor_arg(b, "where"));
  }, py::arg("condition"), py::arg("input"), py::arg("other"));
  T.def("where", [](const Tensor& self, const Tensor& cond, py::handle other) {
    return where(cond, self, as_tensor_arg(other, "where"));
  }, py::arg("condition"), py::arg("other"));

  auto isclose_fn = [](const Tensor& a, py::handle b, double rtol, double atol, bool equal_nan) {
    return isclose(a, as_tensor_arg(b, "isclose"), rtol, atol, equal_nan);
  };
  auto allclose_fn = [](const Tensor& a, py::handle b, double rtol, double atol, bool equal_nan) {
    return allclose(a, as_tensor_arg(b, "allclose"), rtol, atol, equal_nan);
  };
  m.def("isclose", isclose_fn, py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-5,
        py::arg("atol") = 1e-8, py::arg("equal_nan") = false);
  m.def("allclose", allclose_fn, py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-5,
        py::arg("atol") = 1e-8, py::arg("equal_nan") = false);
  T.def("isclose", isclose_fn, py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8,
        py::arg("equal_nan") = false);
  T.def("allclose", allclose_fn, py::arg("other"), py::arg("rtol") = 1e-5,
        py::arg("atol") = 1e-8, py::arg("equal_nan") = false);
  m.def("equal", [](const Tensor& a, const Tensor& b) { return equal(a, b); }, py::arg("input"),
        py::arg("other"));
  T.def("equal", [](const Tensor& a, const Tensor& b) { return equal(a, b); }, py::arg("other"));
}
EMBER_PY_BINDING(23, bind_comparison);

}  // namespace
}  // namespace ember::python
