// sort / argsort / topk with PyTorch's signatures; sort and topk return (values, indices)
// named tuples like torch.return_types.
#include "python/src/bindings.h"

namespace ember::python {
namespace {

py::object named_pair(const char* name, const ValuesIndices& r) {
  static py::object* types = new py::object[2];  // leaked: must outlive the interpreter
  const int k = std::string_view(name) == "sort" ? 0 : 1;
  if (!types[k]) {
    types[k] = py::module_::import("collections").attr("namedtuple")(
        name, py::make_tuple("values", "indices"));
    types[k].attr("__module__") = "ember.return_types";
  }
  return types[k](r.values, r.indices);
}

void bind_sort(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  auto sort_fn = [](const Tensor& t, int64_t dim, bool descending, bool stable) {
    return named_pair("sort", sort(t, dim, descending, stable));
  };
  m.def("sort", sort_fn, py::arg("input"), py::arg("dim") = -1, py::arg("descending") = false,
        py::kw_only(), py::arg("stable") = false);
  T.def("sort", sort_fn, py::arg("dim") = -1, py::arg("descending") = false, py::kw_only(),
        py::arg("stable") = false);

  auto argsort_fn = [](const Tensor& t, int64_t dim, bool descending, bool stable) {
    return argsort(t, dim, descending, stable);
  };
  m.def("argsort", argsort_fn, py::arg("input"), py::arg("dim") = -1,
        py::arg("descending") = false, py::kw_only(), py::arg("stable") = false);
  T.def("argsort", argsort_fn, py::arg("dim") = -1, py::arg("descending") = false,
        py::kw_only(), py::arg("stable") = false);

  auto topk_fn = [](const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
    return named_pair("topk", topk(t, k, dim, largest, sorted));
  };
  m.def("topk", topk_fn, py::arg("input"), py::arg("k"), py::arg("dim") = -1,
        py::arg("largest") = true, py::arg("sorted") = true);
  T.def("topk", topk_fn, py::arg("k"), py::arg("dim") = -1, py::arg("largest") = true,
        py::arg("sorted") = true);
}

EMBER_PY_BINDING(23, bind_sort);

}  // namespace
}  // namespace ember::python
