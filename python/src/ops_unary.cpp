// Unary math: ember.exp(t) / t.exp(), the in-place forms t.exp_(), abs()/+t operators.
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using UnaryFn = Tensor (*)(const Tensor&);
using InplaceFn = Tensor& (*)(Tensor&);

struct UnaryEntry {
  const char* name;
  UnaryFn fn;
};
struct InplaceEntry {
  const char* name;  // method name, with the trailing underscore
  InplaceFn fn;
};

constexpr UnaryEntry kUnary[] = {
    {"neg", neg},           {"abs", abs},         {"square", square},
    {"sign", sign},         {"positive", positive}, {"floor", floor},
    {"ceil", ceil},         {"trunc", trunc},
    {"exp", exp},           {"expm1", expm1},     {"log", log},
    {"log1p", log1p},       {"sqrt", sqrt},       {"rsqrt", rsqrt},
    {"reciprocal", reciprocal}, {"sin", sin},     {"cos", cos},
    {"tanh", tanh},         {"sigmoid", sigmoid}, {"erf", erf},
    {"isnan", isnan},       {"isinf", isinf},     {"isfinite", isfinite},
    {"logical_not", logical_not},
};

constexpr InplaceEntry kInplace[] = {
    {"neg_", neg_},     {"abs_", abs_},     {"exp_", exp_},     {"log_", log_},
    {"sqrt_", sqrt_},   {"sigmoid_", sigmoid_}, {"tanh_", tanh_}, {"floor_", floor_},
    {"ceil_", ceil_},   {"round_", round_},
};

// PyTorch's other spellings of the same functions.
constexpr std::pair<const char*, const char*> kAliases[] = {
    {"negative", "neg"}, {"absolute", "abs"}, {"fix", "trunc"},
};

// Like PyTorch, the functional forms take tensors only (ember.exp(2.0) is a TypeError).
Tensor tensor_only(py::handle x, const char* name) {
  if (!py::isinstance<Tensor>(x)) {
    raise<TypeError>("[{}] expected a Tensor, got {}", name,
                     py::str(py::type::handle_of(x).attr("__name__")).cast<std::string>());
  }
  return x.cast<Tensor>();
}

void bind_unary(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  for (const UnaryEntry& e : kUnary) {
    UnaryFn fn = e.fn;
    const char* name = e.name;
    m.def(name, [fn, name](py::handle x) { return fn(tensor_only(x, name)); }, py::arg("input"));
    T.def(name, [fn](const Tensor& x) { return fn(x); });
  }
  for (const InplaceEntry& e : kInplace) {
    InplaceFn fn = e.fn;
    // Returns the very object it was called on, so `t.exp_() is t`.
    T.def(e.name, [fn](py::object self) {
      fn(self.cast<Tensor&>());
      return self;
    });
  }
  for (auto [alias, name] : kAliases) {
    m.attr(alias) = m.attr(name);
    T.attr(alias) = T.attr(name);
  }
  m.def("round", [](py::handle x, int64_t decimals) {
    return round(tensor_only(x, "round"), decimals);
  }, py::arg("input"), py::kw_only(), py::arg("decimals") = 0);
  T.def("round", [](const Tensor& x, int64_t decimals) { return round(x, decimals); },
        py::kw_only(), py::arg("decimals") = 0);
  T.def("__abs__", [](const Tensor& x) { return abs(x); })
      .def("__pos__", [](py::object self) {
        positive(self.cast<const Tensor&>());
        return self;
      });
}
EMBER_PY_BINDING(21, bind_unary);

}  // namespace
}  // namespace ember::python
