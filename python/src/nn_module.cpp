// nn.Module for Python. The C++ Module holds the registry (parameters, buffers, children);
// the Python object mirrors it in `_parameters`, `_buffers` and `_modules` dicts so that
// attribute access returns the same Python objects each time (identity, isinstance of
// Parameter) and Python children stay alive while their parent does. Python subclasses
// override forward through the PyModule trampoline, so C++ containers can call them.
#include "nn/containers.h"
#include "nn/module.h"
#include "python/src/bindings.h"

namespace ember::python {
namespace {

using nn::Module;
using ModulePtr = std::shared_ptr<Module>;

TensorList to_tensor_list(py::handle r, const std::string& who) {
  if (py::isinstance<Tensor>(r)) return {r.cast<Tensor>()};
  if (py::isinstance<py::tuple>(r) || py::isinstance<py::list>(r)) {
    TensorList out;
    for (py::handle x : r) out.push_back(x.cast<Tensor>());
    return out;
  }
  raise<TypeError>("[{}] forward returned {}, but a C++ caller needs a Tensor or a tuple of "
                   "Tensors", who, py::str(py::type::handle_of(r).attr("__name__")).cast<std::string>());
}

// The Python-level default forward (ember/nn/modules/module.py:_forward) routes to C++; a
// trampoline that found it must not call it again (that would recurse).
bool is_default_forward(const py::function& f) {
  static py::object sentinel =
      py::module_::import("ember.nn.modules.module").attr("_forward");
  py::object fn = py::hasattr(f, "__func__") ? f.attr("__func__") : py::object(f);
  return fn.is(sentinel);
}

class PyModule : public Module {
 public:
  using Module::Module;

  std::string type_name() const override {
    py::gil_scoped_acquire gil;
    py::handle self = py::cast(static_cast<const Module*>(this), py::return_value_policy::reference);
    return py::str(py::type::handle_of(self).attr("__name__"));
  }

  TensorList forward(const TensorList& inputs) override {
    py::gil_scoped_acquire gil;
    py::function f = py::get_override(static_cast<const Module*>(this), "forward");
    if (!f || is_default_forward(f)) return Module::forward(inputs);
    py::tuple args(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) args[i] = py::cast(inputs[i]);
    return to_tensor_list(f(*args), type_name());
  }

  Tensor forward(const Tensor& x) override {
    py::gil_scoped_acquire gil;
    py::function f = py::get_override(static_cast<const Module*>(this), "forward");
    if (!f || is_default_forward(f)) return Module::forward(x);
    return to_tensor_list(f(x), type_name()).at(0);
  }

  std::string extra_repr() const override {
    PYBIND11_OVERRIDE_NAME(std::string, Module, "extra_repr", extra_repr);
  }

  void train(bool on) override { PYBIND11_OVERRIDE(void, Module, train, on); }
};

py::dict state_dict_of(py::handle self, const char* key) {
  py::dict d = self.attr("__dict__");
  if (!d.contains(key)) d[key] = py::dict();
  return d[key];
}

bool is_parameter(py::handle v) { return py::hasattr(v, "_is_parameter"); }

py::object wrap_parameter(const Tensor& t) {
  return py::module_::import("ember.nn.parameter").attr("Parameter").attr("_wrap")(t);
}

// The cached Python object for a C++-registered parameter/buffer/child, refreshed when the
// C++ side holds a different tensor (e.g. registered by a C++ constructor).
py::object lookup(py::handle self, Module& m, const std::string& name) {
  if (m.has_parameter(name)) {
    py::dict d = state_dict_of(self, "_parameters");
    Tensor t = m.parameter(name);
    if (!t.defined()) return py::none();
    if (d.contains(name.c_str())) {
      py::object cached = d[name.c_str()];
      if (!cached.is_none() && cached.cast<Tensor>().is_same(t)) return cached;
    }
    py::object w = wrap_parameter(t);
    d[name.c_str()] = w;
    return w;
  }
  if (m.has_buffer(name)) {
    py::dict d = state_dict_of(self, "_buffers");
    Tensor t = m.buffer(name);
    if (!t.defined()) return py::none();
    if (d.contains(name.c_str())) {
      py::object cached = d[name.c_str()];
      if (!cached.is_none() && cached.cast<Tensor>().is_same(t)) return cached;
    }
    py::object w = py::cast(t);
    d[name.c_str()] = w;
    return w;
  }
  if (m.has_child(name)) {
    ModulePtr c = m.child(name);
    return c ? py::cast(c) : py::none();
  }
  return py::reinterpret_borrow<py::object>(py::handle());
}

void set_attr(py::object self, const std::string& name, py::object value) {
  Module& m = self.cast<Module&>();
  if (is_parameter(value)) {
    Tensor t = value.cast<Tensor>();
    if (!m.set_parameter(name, t)) {
      if (m.has_buffer(name) || m.has_child(name)) m.remove(name);
      m.register_parameter(name, t, t.requires_grad());
    }
    state_dict_of(self, "_parameters")[name.c_str()] = value;
    return;
  }
  if (py::isinstance<Module>(value)) {
    ModulePtr c = value.cast<ModulePtr>();
    if (!m.set_module(name, c)) {
      if (m.has_parameter(name) || m.has_buffer(name)) m.remove(name);
      m.register_module(name, c);
    }
    state_dict_of(self, "_modules")[name.c_str()] = value;
    return;
  }
  if (m.has_parameter(name)) {
    if (!value.is_none()) {
      raise<TypeError>("[{}] cannot assign '{}' as parameter '{}' (ember.nn.Parameter or None "
                       "expected)", m.type_name(),
                       py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>(), name);
    }
    m.set_parameter(name, Tensor());
    state_dict_of(self, "_parameters")[name.c_str()] = py::none();
    return;
  }
  if (m.has_buffer(name)) {
    if (!value.is_none() && !py::isinstance<Tensor>(value)) {
      raise<TypeError>("[{}] cannot assign a non-Tensor to buffer '{}'", m.type_name(), name);
    }
    m.set_buffer(name, value.is_none() ? Tensor() : value.cast<Tensor>());
    state_dict_of(self, "_buffers")[name.c_str()] = value;
    return;
  }
  if (m.has_child(name)) {
    if (!value.is_none()) {
      raise<TypeError>("[{}] cannot assign '{}' as child module '{}' (Module or None expected)",
                       m.type_name(), py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>(),
                       name);
    }
    m.set_module(name, nullptr);
    state_dict_of(self, "_modules")[name.c_str()] = py::none();
    return;
  }
  if (PyObject_GenericSetAttr(self.ptr(), py::str(name).ptr(), value.ptr()) != 0) {
    throw py::error_already_set();
  }
}

py::list named_direct(py::object self, bool params) {
  Module& m = self.cast<Module&>();
  py::list out;
  auto named = params ? m.named_parameters("", false) : m.named_buffers("", false);
  for (auto& [n, t] : named) out.append(py::make_tuple(n, lookup(self, m, n)));
  return out;
}

void bind_module(py::module_& m) {
  py::module_ nn_m = m.def_submodule("nn", "C++ nn modules");
  py::class_<Module, PyModule, ModulePtr> cls(nn_m, "Module", py::dynamic_attr());
  cls.def(py::init_alias<>())
      .def("__setattr__", [](py::object self, const std::string& name, py::object value) {
        set_attr(self, name, value);
      })
      .def("__getattr__", [](py::object self, const std::string& name) -> py::object {
        Module& mod = self.cast<Module&>();
        py::object r = lookup(self, mod, name);
        if (r) return r;
        throw py::attribute_error(fmt::format("'{}' object has no attribute '{}'",
                                              mod.type_name(), name));
      })
      .def("__delattr__", [](py::object self, const std::string& name) {
        Module& mod = self.cast<Module&>();
        if (mod.remove(name)) {
          for (const char* k : {"_parameters", "_buffers", "_modules"}) {
            py::dict d = state_dict_of(self, k);
            if (d.contains(name.c_str())) PyDict_DelItemString(d.ptr(), name.c_str());
          }
          return;
        }
        if (PyObject_GenericSetAttr(self.ptr(), py::str(name).ptr(), nullptr) != 0) {
          throw py::error_already_set();
        }
      })
      .def("_forward_cpp", [](Module& mod, py::args args) -> py::object {
        // Base forward: only C++ layers and containers have one.
        TensorList in;
        for (py::handle a : args) in.push_back(a.cast<Tensor>());
        TensorList out = mod.forward(in);
        if (out.size() == 1) return py::cast(out[0]);
        py::tuple t(out.size());
        for (size_t i = 0; i < out.size(); ++i) t[i] = py::cast(out[i]);
        return t;
      })
      .def("register_parameter", [](py::object self, const std::string& name, py::object p) {
        Module& mod = self.cast<Module&>();
        if (!p.is_none() && !is_parameter(p)) {
          raise<TypeError>("[{}.register_parameter] cannot assign '{}' as parameter '{}' "
                           "(ember.nn.Parameter or None expected)", mod.type_name(),
                           py::str(py::type::handle_of(p).attr("__name__")).cast<std::string>(), name);
        }
        Tensor t = p.is_none() ? Tensor() : p.cast<Tensor>();
        mod.register_parameter(name, t, t.defined() && t.requires_grad());
        state_dict_of(self, "_parameters")[name.c_str()] = p;
      })
      .def("register_buffer", [](py::object self, const std::string& name, py::object t, bool persistent) {
        Module& mod = self.cast<Module&>();
        mod.register_buffer(name, t.is_none() ? Tensor() : t.cast<Tensor>(), persistent);
        state_dict_of(self, "_buffers")[name.c_str()] = t;
      }, py::arg("name"), py::arg("tensor"), py::arg("persistent") = true)
      .def("add_module", [](py::object self, const std::string& name, py::object child) {
        set_attr(self, name, child);
      })
      .def("register_module", [](py::object self, const std::string& name, py::object child) {
        set_attr(self, name, child);
      })
      .def("_named_parameters_direct", [](py::object self) { return named_direct(self, true); })
      .def("_named_buffers_direct", [](py::object self) { return named_direct(self, false); })
      .def("_named_children", [](Module& mod) {
        py::list out;
        for (auto& [n, c] : mod.named_children()) {
          if (c) out.append(py::make_tuple(n, py::cast(c)));
        }
        return out;
      })
      .def("_set_training", [](Module& mod, bool on) { mod.train(on); })
      .def_property("training", &Module::is_training, &Module::set_training_flag)
      .def("_cpp_train", [](Module& mod, bool on) { mod.Module::train(on); })
      .def("zero_grad", &Module::zero_grad, py::arg("set_to_none") = true)
      .def("_to_dtype", [](Module& mod, py::handle d) { mod.to(dtype_arg(d)); })
      .def("_to_device", [](Module& mod, const Device& d) { mod.to(d); })
      .def("_state_dict", [](Module& mod, const std::string& prefix) {
        py::list out;
        for (auto& [k, v] : mod.state_dict(prefix)) out.append(py::make_tuple(k, v));
        return out;
      })
      .def("_load_state_dict", [](Module& mod, const std::vector<std::pair<std::string, Tensor>>& sd,
                                  bool strict) {
        nn::StateDict state(sd.begin(), sd.end());
        auto r = mod.load_state_dict(state, strict);
        return py::make_tuple(r.missing_keys, r.unexpected_keys);
      })
      .def("_type_name", &Module::type_name)
      .def("extra_repr", [](Module& mod) { return mod.Module::extra_repr(); })
      .def("__repr__", &Module::repr);

  // Containers (C++), extended with Python conveniences in ember/nn/modules/container.py.
  py::class_<nn::Sequential, Module, std::shared_ptr<nn::Sequential>>(nn_m, "Sequential", py::dynamic_attr())
      .def(py::init<>())
      .def("_append", [](py::object self, py::object child) {
        auto& s = self.cast<nn::Sequential&>();
        set_attr(self, std::to_string(s.size()), child);
      })
      .def("__len__", &nn::Sequential::size);
  py::class_<nn::ModuleList, Module, std::shared_ptr<nn::ModuleList>>(nn_m, "ModuleList", py::dynamic_attr())
      .def(py::init<>())
      .def("__len__", &nn::ModuleList::size);
  py::class_<nn::ModuleDict, Module, std::shared_ptr<nn::ModuleDict>>(nn_m, "ModuleDict", py::dynamic_attr())
      .def(py::init<>())
      .def("__len__", &nn::ModuleDict::size);
}
EMBER_PY_BINDING(50, bind_module);

}  // namespace
}  // namespace ember::python
