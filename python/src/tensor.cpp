// The Tensor class: metadata, autograd state and the methods that are plain C++ calls.
// Op-family methods and operators are added by the ops_*.cpp binding files.
#include "core/dispatch.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

py::tuple shape_tuple(IntList s) {
  py::tuple t(s.size());
  for (size_t i = 0; i < s.size(); ++i) t[i] = py::int_(s[i]);
  return t;
}

py::object item_of(const Tensor& t) {
  check_not_traced(t, "item");
  if (t.numel() != 1) t.item<double>();  // raises the clear error
  if (t.dtype() == DType::Bool) return py::bool_(t.item<bool>());
  if (is_floating(t.dtype())) return py::float_(t.item<double>());
  return py::int_(t.item<int64_t>());
}

void bind_node(py::module_& m) {
  py::class_<Node, std::shared_ptr<Node>>(m, "Node")
      .def("name", &Node::name)
      .def_property_readonly("next_functions", [](Node& n) {
        py::list out;
        for (const Edge& e : n.next_edges()) {
          out.append(py::make_tuple(e.fn ? py::cast(e.fn) : py::none(), e.input_nr));
        }
        return py::tuple(out);
      })
      .def_property_readonly("variable", [](Node& n) -> py::object {
        if (auto* acc = dynamic_cast<AccumulateGrad*>(&n)) return py::cast(acc->variable());
        raise<Error>("[grad_fn] only AccumulateGrad nodes have a variable");
      })
      .def("__repr__", [](Node& n) { return "<" + n.name() + " object>"; });
}

void bind_tensor(py::module_& m) {
  bind_node(m);
  py::class_<Tensor> t(m, "Tensor");
  // Tensor(other): a second Python object on the same tensor (used by nn.Parameter).
  t.def(py::init([](const Tensor& other) { return Tensor(other); }), py::arg("data"))
      .def_property_readonly("_cdata", [](const Tensor& x) { return reinterpret_cast<uintptr_t>(x.impl()); })
      .def_property("data", [](const Tensor& x) { return detach(x); },
                    [](const Tensor& x, const Tensor& v) { x.impl()->set_data(*v.impl()); })
      .def_property_readonly("shape", [](const Tensor& x) { return shape_tuple(x.shape()); })
      .def("size", [](const Tensor& x, py::object dim) -> py::object {
        if (dim.is_none()) return shape_tuple(x.shape());
        return py::int_(x.size(dim.cast<int64_t>()));
      }, py::arg("dim") = py::none())
      .def("stride", [](const Tensor& x, py::object dim) -> py::object {
        if (dim.is_none()) return shape_tuple(x.strides());
        return py::int_(x.stride(dim.cast<int64_t>()));
      }, py::arg("dim") = py::none())
      .def_property_readonly("dtype", &Tensor::dtype)
      .def_property_readonly("device", &Tensor::device)
      .def_property_readonly("ndim", &Tensor::dim)
      .def("dim", &Tensor::dim)
      .def("ndimension", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("nelement", &Tensor::numel)
      .def("element_size", &Tensor::element_size)
      .def("storage_offset", &Tensor::offset)
      .def("is_contiguous", &Tensor::is_contiguous)
      .def("is_floating_point", [](const Tensor& x) { return is_floating(x.dtype()); })
      .def_property_readonly("is_cuda", [](const Tensor& x) { return x.device().is_cuda(); })
      .def_property_readonly("is_cpu", [](const Tensor& x) { return x.device().is_cpu(); })
      .def("data_ptr", [](const Tensor& x) { return reinterpret_cast<uintptr_t>(x.data_ptr()); })
      .def("_version", &Tensor::version)
      .def_property_readonly("_version", &Tensor::version)
      .def("item", &item_of)
      .def("__repr__", [](const Tensor& x) {
        std::string s = x.str();
        if (x.requires_grad()) {
          s.pop_back();
          auto fn = grad_fn(x);
          s += fn ? ", grad_fn=<" + fn->name() + ">)" : ", requires_grad=True)";
        }
        return s;
      })
      .def("__len__", [](const Tensor& x) {
        if (x.dim() == 0) raise<TypeError>("[len] len() of a 0-d tensor");
        return x.shape()[0];
      })
      .def("__bool__", [](const Tensor& x) {
        check_not_traced(x, "bool");
        if (x.numel() != 1) {
          raise<ValueError>("[bool] the truth value of a tensor with {} elements is ambiguous; "
                            "use .any() or .all()", x.numel());
        }
        return x.item<double>() != 0.0;
      })
      .def("__float__", [](const Tensor& x) {
        check_not_traced(x, "float");
        return x.item<double>();
      })
      .def("__int__", [](const Tensor& x) {
        check_not_traced(x, "int");
        return x.item<int64_t>();
      })
      .def("__index__", [](const Tensor& x) {
        if (is_floating(x.dtype()) || x.numel() != 1) {
          raise<TypeError>("[index] only integer tensors of a single element can be converted "
                           "to an index");
        }
        return x.item<int64_t>();
      })
      .def("__hash__", [](const Tensor& x) { return reinterpret_cast<intptr_t>(x.impl()); })
      // autograd
      .def_property("requires_grad", &Tensor::requires_grad,
                    [](const Tensor& x, bool r) { set_requires_grad(x, r); })
      .def("requires_grad_", [](const Tensor& x, bool r) { set_requires_grad(x, r); return x; },
           py::arg("requires_grad") = true)
      .def_property("grad", [](const Tensor& x) -> py::object {
        Tensor g = grad_of(x);
        return g.defined() ? py::cast(g) : py::none();
      }, [](const Tensor& x, py::object g) {
        set_grad(x, g.is_none() ? Tensor() : g.cast<Tensor>());
      })
      .def_property_readonly("grad_fn", [](const Tensor& x) -> py::object {
        auto fn = grad_fn(x);
        return fn ? py::cast(fn) : py::none();
      })
      .def_property_readonly("is_leaf", [](const Tensor& x) { return is_leaf(x); })
      .def("retain_grad", [](const Tensor& x) { retain_grad(x); })
      .def_property_readonly("retains_grad", [](const Tensor& x) { return retains_grad(x); })
      .def("backward", [](const Tensor& x, py::object gradient, py::object retain_graph,
                          bool create_graph, py::object inputs) {
        Tensor g = gradient.is_none() ? Tensor() : as_tensor_arg(gradient, "backward");
        bool keep = retain_graph.is_none() ? create_graph : retain_graph.cast<bool>();
        std::vector<Tensor> ins;
        if (!inputs.is_none()) {
          if (py::isinstance<Tensor>(inputs)) {
            ins.push_back(inputs.cast<Tensor>());
          } else {
            ins = inputs.cast<std::vector<Tensor>>();
          }
        }
        std::vector<Tensor> gs;
        if (g.defined()) gs.push_back(g);
        backward(std::span<const Tensor>(&x, 1), gs, keep, create_graph, ins);
      }, py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(),
         py::arg("create_graph") = false, py::arg("inputs") = py::none())
      .def("register_hook", [](const Tensor& x, py::function fn) {
        return register_hook(x, [fn](const Tensor& g) -> Tensor {
          py::gil_scoped_acquire gil;
          py::object r = fn(g);
          return r.is_none() ? Tensor() : r.cast<Tensor>();
        });
      })
      .def("detach", [](const Tensor& x) { return detach(x); })
      .def("detach_", [](const Tensor& x) {
        raise<NotImplementedError>("[detach_] is not supported; use x = x.detach()");
      })
      .def("clone", [](const Tensor& x) { return clone(x); })
      .def("contiguous", [](const Tensor& x) { return contiguous(x); })
      .def("_to_dtype", [](const Tensor& x, py::handle d) { return to_dtype(x, dtype_arg(d)); });
}
EMBER_PY_BINDING(10, bind_tensor);

}  // namespace
}  // namespace ember::python
