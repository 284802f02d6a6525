// Reductions: sum, mean, prod, max/min (+ dim -> (values, indices)), amax/amin,
// argmax/argmin, var/std (+ _mean), logsumexp, all/any, norm, cumsum/cumprod; functions on
// the module and methods on Tensor, with PyTorch's signatures.
#include <cmath>
#include <limits>

#include "python/src/bindings.h"

namespace ember::python {
namespace {

// dim=None / int / tuple / list -> dims (empty means all).
std::vector<int64_t> dims_arg(py::handle h, std::string_view op) {
  if (h.is_none()) return {};
  return int_list(h, op);
}
std::optional<DType> opt_dtype(py::handle h) {
  if (h.is_none()) return std::nullopt;
  return dtype_arg(h);
}
int64_t one_dim(py::handle h, std::string_view op) {
  auto d = int_list(h, op);
  if (d.size() != 1) raise<TypeError>("[{}] expected a single int dim, got {} dims", op, d.size());
  return d[0];
}

// torch.return_types-like named tuples: (values, indices) with attribute access.
py::object& return_type(const char* name) {
  static py::object* types = new py::object[2];  // leaked: must outlive the interpreter
  const int k = std::string_view(name) == "max" ? 0 : 1;
  if (!types[k]) {
    py::object nt = py::module_::import("collections").attr("namedtuple");
    types[k] = nt(name, py::make_tuple("values", "indices"));
    types[k].attr("__module__") = "ember.return_types";
  }
  return types[k];
}
py::object values_indices(const char* name, const ValuesIndices& r) {
  return return_type(name)(r.values, r.indices);
}

// max(input) / max(input, dim, keepdim=False).
template <bool kMax>
py::object max_min(const Tensor& t, py::handle dim, bool keepdim) {
  constexpr const char* name = kMax ? "max" : "min";
  if (dim.is_none()) return py::cast(kMax ? max(t) : min(t));
  if (py::isinstance<Tensor>(dim)) {
    raise<TypeError>("[{}] the elementwise form {}(input, other) belongs to ember.{}imum", name,
                     name, name);
  }
  int64_t d = one_dim(dim, name);
  return values_indices(name, kMax ? max(t, d, keepdim) : min(t, d, keepdim));
}

// var/std arguments: var(x, dim=None, unbiased=None, keepdim=False, *, correction=None),
// also the legacy var(x, unbiased) form.
struct MomentArgs {
  std::vector<int64_t> dims;
  double correction = 1;
};
MomentArgs moment_args(py::handle dim, py::handle unbiased, py::handle correction,
                       std::string_view op) {
  MomentArgs a;
  if (PyBool_Check(dim.ptr())) {  // var(x, True)
    if (!unbiased.is_none()) raise<TypeError>("[{}] unbiased given twice", op);
    unbiased = dim;
  } else {
    a.dims = dims_arg(dim, op);
  }
  if (!unbiased.is_none() && !correction.is_none()) {
    raise<TypeError>("[{}] pass either unbiased= or correction=, not both", op);
  }
  if (!unbiased.is_none()) a.correction = unbiased.cast<bool>() ? 1 : 0;
  if (!correction.is_none()) a.correction = correction.cast<double>();
  return a;
}

double norm_p(py::handle p) {
  if (p.is_none()) return 2;
  if (py::isinstance<py::str>(p)) {
    std::string s = p.cast<std::string>();
    if (s == "fro") return 2;
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    raise<ValueError>("[norm] unsupported norm type '{}' (use a number, 'fro' or inf)", s);
  }
  return p.cast<double>();
}

void bind_reduce(py::module_& m) {
  auto T = py::reinterpret_borrow<py::class_<Tensor>>(m.attr("Tensor"));
  auto rt = m.def_submodule("return_types", "Named tuples returned by max/min with a dim.");
  rt.attr("max") = return_type("max");
  rt.attr("min") = return_type("min");

  // sum / mean / prod: (input, dim=None, keepdim=False, *, dtype=None)
  auto sum_fn = [](const Tensor& t, py::handle dim, bool keepdim, py::handle dtype) {
    return sum(t, dims_arg(dim, "sum"), keepdim, opt_dtype(dtype));
  };
  auto mean_fn = [](const Tensor& t, py::handle dim, bool keepdim, py::handle dtype) {
    return mean(t, dims_arg(dim, "mean"), keepdim, opt_dtype(dtype));
  };
  auto prod_fn = [](const Tensor& t, py::handle dim, bool keepdim, py::handle dtype) {
    return prod(t, dims_arg(dim, "prod"), keepdim, opt_dtype(dtype));
  };
  for (auto [name, fn] : {std::pair{"sum", +sum_fn}, {"mean", +mean_fn}, {"prod", +prod_fn}}) {
    m.def(name, fn, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
          py::kw_only(), py::arg("dtype") = py::none());
    T.def(name, fn, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
          py::arg("dtype") = py::none());
  }

  auto max_fn = &max_min<true>;
  auto min_fn = &max_min<false>;
  for (auto [name, fn] : {std::pair{"max", max_fn}, {"min", min_fn}}) {
    m.def(name, fn, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false);
    T.def(name, fn, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  }

  // amax / amin: (input, dim=(), keepdim=False)
  auto amax_fn = [](const Tensor& t, py::handle dim, bool keepdim) {
    return amax(t, dims_arg(dim, "amax"), keepdim);
  };
  auto amin_fn = [](const Tensor& t, py::handle dim, bool keepdim) {
    return amin(t, dims_arg(dim, "amin"), keepdim);
  };
  for (auto [name, fn] : {std::pair{"amax", +amax_fn}, {"amin", +amin_fn}}) {
    m.def(name, fn, py::arg("input"), py::arg("dim") = py::tuple(), py::arg("keepdim") = false);
    T.def(name, fn, py::arg("dim") = py::tuple(), py::arg("keepdim") = false);
  }

  // argmax / argmin: dim=None means the flattened tensor.
  auto argmax_fn = [](const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
    return argmax(t, dim, keepdim);
  };
  auto argmin_fn = [](const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
    return argmin(t, dim, keepdim);
  };
  for (auto [name, fn] : {std::pair{"argmax", +argmax_fn}, {"argmin", +argmin_fn}}) {
    m.def(name, fn, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false);
    T.def(name, fn, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  }

  // var / std / var_mean / std_mean
  auto var_fn = [](const Tensor& t, py::handle dim, py::handle unbiased, bool keepdim,
                   py::handle correction) {
    auto a = moment_args(dim, unbiased, correction, "var");
    return var(t, a.dims, a.correction, keepdim);
  };
  auto std_fn = [](const Tensor& t, py::handle dim, py::handle unbiased, bool keepdim,
                   py::handle correction) {
    auto a = moment_args(dim, unbiased, correction, "std");
    return ember::std(t, a.dims, a.correction, keepdim);
  };
  auto var_mean_fn = [](const Tensor& t, py::handle dim, py::handle unbiased, bool keepdim,
                        py::handle correction) {
    auto a = moment_args(dim, unbiased, correction, "var_mean");
    auto [v, mu] = var_mean(t, a.dims, a.correction, keepdim);
    return py::make_tuple(v, mu);
  };
  auto std_mean_fn = [](const Tensor& t, py::handle dim, py::handle unbiased, bool keepdim,
                        py::handle correction) {
    auto a = moment_args(dim, unbiased, correction, "std_mean");
    auto [s, mu] = std_mean(t, a.dims, a.correction, keepdim);
    return py::make_tuple(s, mu);
  };
  m.def("var_mean", var_mean_fn, py::arg("input"), py::arg("dim") = py::none(),
        py::arg("unbiased") = py::none(), py::arg("keepdim") = false, py::kw_only(),
        py::arg("correction") = py::none());
  m.def("std_mean", std_mean_fn, py::arg("input"), py::arg("dim") = py::none(),
        py::arg("unbiased") = py::none(), py::arg("keepdim") = false, py::kw_only(),
        py::arg("correction") = py::none());
  for (auto [name, fn] : {std::pair{"var", +var_fn}, {"std", +std_fn}}) {
    m.def(name, fn, py::arg("input"), py::arg("dim") = py::none(), py::arg("unbiased") = py::none(),
          py::arg("keepdim") = false, py::kw_only(), py::arg("correction") = py::none());
    T.def(name, fn, py::arg("dim") = py::none(), py::arg("unbiased") = py::none(),
          py::arg("keepdim") = false, py::kw_only(), py::arg("correction") = py::none());
  }

  auto lse_fn = [](const Tensor& t, py::handle dim, bool keepdim) {
    return logsumexp(t, dims_arg(dim, "logsumexp"), keepdim);
  };
  m.def("logsumexp", lse_fn, py::arg("input"), py::arg("dim"), py::arg("keepdim") = false);
  T.def("logsumexp", lse_fn, py::arg("dim"), py::arg("keepdim") = false);

  auto all_fn = [](const Tensor& t, py::handle dim, bool keepdim) {
    return all(t, dims_arg(dim, "all"), keepdim);
  };
  auto any_fn = [](const Tensor& t, py::handle dim, bool keepdim) {
    return any(t, dims_arg(dim, "any"), keepdim);
  };
  for (auto [name, fn] : {std::pair{"all", +all_fn}, {"any", +any_fn}}) {
    m.def(name, fn, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false);
    T.def(name, fn, py::arg("dim") = py::none(), py::arg("keepdim") = false);
  }

  // norm(input, p='fro', dim=None, keepdim=False, dtype=None)
  auto norm_fn = [](const Tensor& t, py::handle p, py::handle dim, bool keepdim, py::handle dtype) {
    auto d = opt_dtype(dtype);
    return norm(d ? to_dtype(t, *d) : t, norm_p(p), dims_arg(dim, "norm"), keepdim);
  };
  m.def("norm", norm_fn, py::arg("input"), py::arg("p") = "fro", py::arg("dim") = py::none(),
        py::arg("keepdim") = false, py::arg("dtype") = py::none());
  T.def("norm", norm_fn, py::arg("p") = "fro", py::arg("dim") = py::none(),
        py::arg("keepdim") = false, py::arg("dtype") = py::none());

  auto cumsum_fn = [](const Tensor& t, int64_t dim, py::handle dtype) {
    return cumsum(t, dim, opt_dtype(dtype));
  };
  auto cumprod_fn = [](const Tensor& t, int64_t dim, py::handle dtype) {
    return cumprod(t, dim, opt_dtype(dtype));
  };
  for (auto [name, fn] : {std::pair{"cumsum", +cumsum_fn}, {"cumprod", +cumprod_fn}}) {
    m.def(name, fn, py::arg("input"), py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
    T.def(name, fn, py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
  }

  // softmax / log_softmax(input, dim, dtype=None)
  auto softmax_fn = [](const Tensor& t, int64_t dim, py::handle dtype) {
    return softmax(t, dim, opt_dtype(dtype));
  };
  auto log_softmax_fn = [](const Tensor& t, int64_t dim, py::handle dtype) {
    return log_softmax(t, dim, opt_dtype(dtype));
  };
  for (auto [name, fn] : {std::pair{"softmax", +softmax_fn}, {"log_softmax", +log_softmax_fn}}) {
    m.def(name, fn, py::arg("input"), py::arg("dim"), py::arg("dtype") = py::none());
    T.def(name, fn, py::arg("dim"), py::arg("dtype") = py::none());
  }
}
EMBER_PY_BINDING(22, bind_reduce);

}  // namespace
}  // namespace ember::python
