// Matrix products: matmul (and @), mm, bmm, mv, dot, outer, addmm.
#include "python/src/bindings.h"

namespace ember::python {
namespace {

void bind_linalg(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  using Fn2 = Tensor (*)(const Tensor&, const Tensor&);
  const std::pair<const char*, Fn2> fns[] = {{"matmul", &matmul}, {"mm", &mm},   {"bmm", &bmm},
                                             {"mv", &mv},         {"dot", &dot}, {"outer", &outer}};
  for (auto [name, fn] : fns) {
    m.def(name, fn, py::arg("input"), py::arg("other"));
    T.def(name, fn, py::arg("other"));
  }
  m.attr("ger") = m.attr("outer");
  m.attr("inner") = m.attr("dot");

  auto addmm_fn = [](const Tensor& bias, const Tensor& a, const Tensor& b, py::handle beta,
                     py::handle alpha) {
    auto s = [](py::handle h, const char* what) {
      auto v = as_scalar(h);
      if (!v) raise<TypeError>("[addmm] {} must be a number", what);
      return *v;
    };
    return addmm(bias, a, b, s(beta, "beta"), s(alpha, "alpha"));
  };
  m.def("addmm", addmm_fn, py::arg("input"), py::arg("mat1"), py::arg("mat2"), py::kw_only(),
        py::arg("beta") = 1, py::arg("alpha") = 1);
  T.def("addmm", addmm_fn, py::arg("mat1"), py::arg("mat2"), py::kw_only(), py::arg("beta") = 1,
        py::arg("alpha") = 1);

  auto tensor_arg = [](py::handle h) -> Tensor {
    if (!py::isinstance<Tensor>(h)) {
      raise<TypeError>("[matmul] expected a Tensor operand, got {}",
                       py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
    }
    return h.cast<Tensor>();
  };
  T.def(
       "__matmul__",
       [tensor_arg](const Tensor& a, py::handle b) { return matmul(a, tensor_arg(b)); },
       py::is_operator())
      .def(
          "__rmatmul__",
          [tensor_arg](const Tensor& a, py::handle b) { return matmul(tensor_arg(b), a); },
          py::is_operator());
}
EMBER_PY_BINDING(24, bind_linalg);

}  // namespace
}  // namespace ember::python
