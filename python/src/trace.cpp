// ember._C.trace: Graph, Function (signature cache + executor), is_tracing. The Python
// front end (argument flattening, TensorSpec, module modes) is ember/_function.py.
#include "core/dispatch.h"
#include "python/src/bindings.h"
#include "python/src/trace_mode_key.h"
#include "nn/module.h"
#include "trace/function.h"
#include "trace/serialize.h"
#include "trace/tracer.h"

namespace ember::python {
namespace {

using namespace ember::trace;

void bind_trace(py::module_& m) {
  py::module_ tm = m.def_submodule("trace", "tracing and graph execution");
  m.def("is_tracing", [] { return trace_hook() != nullptr; });
  // Names for tensors the active trace may capture ("0.weight"): printed graphs and replay
  // errors use them. A no-op when no Tracer records on this thread.
  tm.def("_name_captures", [](const std::vector<std::pair<std::string, Tensor>>& named) {
    auto* tracer = dynamic_cast<Tracer*>(trace_hook());
    if (!tracer) return;
    for (const auto& [name, t] : named) tracer->name_tensor(t, name);
  });

  py::class_<Graph, std::shared_ptr<Graph>>(tm, "Graph")
      .def("__str__", &Graph::str)
      .def("__repr__", [](const Graph& g) {
        return fmt::format("<ember Graph: {} inputs, {} captures, {} nodes>", g.inputs().size(),
                           g.captures().size(), g.num_nodes());
      })
      .def_property_readonly("num_nodes", &Graph::num_nodes)
      .def_property_readonly("op_names", [](const Graph& g) {
        std::vector<std::string> names;
        for (const trace::Node& n : g.nodes()) names.push_back(std::string(n.op->name()) + (n.inplace ? "_" : ""));
        return names;
      })
      .def_property_readonly("num_captures", [](const Graph& g) { return g.captures().size(); })
      .def_property_readonly("num_constants", [](const Graph& g) { return g.constants().size(); });

  py::class_<ModeKey>(tm, "ModeKey")
      .def(py::init<std::vector<std::shared_ptr<nn::Module>>>())
      .def("__call__", &ModeKey::operator());

  py::class_<Function, std::shared_ptr<Function>>(tm, "Function")
      .def(py::init([](py::function fn, size_t max_cache, int warmup,
                       std::vector<std::vector<int64_t>> dynamic, std::vector<std::string> names,
                       int check_calls, std::string name, py::object dump, std::vector<std::string> disabled,
                       bool cuda_graph) {
        FunctionOptions o;
        o.max_cache_size = max_cache;
        o.warmup_calls = warmup;
        o.dynamic_dims = std::move(dynamic);
        o.arg_names = std::move(names);
        o.check_calls = check_calls;
        o.name = std::move(name);
        o.cuda_graph = cuda_graph;
        for (auto& p : disabled) {
          if (p == "dce") o.passes.dce = false;
          else if (p == "cse") o.passes.cse = false;
          else if (p == "fold") o.passes.fold = false;
          else if (p == "simplify") o.passes.simplify = false;
          else if (p == "fuse") o.passes.fuse = false;
          else if (p == "plan") o.passes.plan = false;
          else raise<ValueError>("[function] unknown pass '{}' (dce, cse, fold, simplify, fuse, plan)", p);
        }
        if (!dump.is_none()) {
          o.passes.dump = [dump](const std::string& pass, const Graph& g) {
            py::gil_scoped_acquire gil;
            dump(pass, g.str());
          };
        }
        auto call = [fn](const std::vector<Tensor>& args) {
          py::gil_scoped_acquire gil;
          return fn(args).cast<std::vector<Tensor>>();
        };
        return std::make_shared<Function>(call, std::move(o));
      }), py::arg("fn"), py::arg("max_cache_size"), py::arg("warmup"), py::arg("dynamic"),
         py::arg("arg_names"), py::arg("check_calls"), py::arg("name"), py::arg("dump"),
         py::arg("disabled_passes"), py::arg("cuda_graph") = false)
      .def("__call__", [](Function& f, const std::vector<Tensor>& args, const std::string& key) {
        return f(args, key);
      })
      .def("graph", [](Function& f, const std::vector<Tensor>& args, const std::string& key) {
        return std::const_pointer_cast<Graph>(f.graph(args, key));
      })
      .def("memory_plan", [](Function& f, const std::vector<Tensor>& args, const std::string& key) {
        return f.memory_plan(args, key);
      })
      .def("save", [](Function& f, const std::string& path, const std::vector<Tensor>& args,
                      const std::string& key) { f.save(path, args, key); })
      .def("retrace_log", &Function::retrace_log)
      .def("cuda_graph_log", &Function::cuda_graph_log)
      .def_property_readonly("num_traces", &Function::num_traces)
      .def_property_readonly("cache_size", &Function::cache_size)
      .def("set_warn", [](Function& f, py::function w) {
        f.set_warn([w](const std::string& msg) {
          py::gil_scoped_acquire gil;
          w(msg);
        });
      });

  py::class_<LoadedFunction, std::shared_ptr<LoadedFunction>>(tm, "LoadedFunction")
      .def(py::init([](const std::string& path) { return std::make_shared<LoadedFunction>(path); }))
      .def("__call__", [](const LoadedFunction& f, py::args args) -> py::object {
        std::vector<Tensor> in;
        for (py::handle a : args) in.push_back(a.cast<Tensor>());
        auto out = f(in);
        if (out.size() == 1) return py::cast(out[0]);
        return py::cast(out);
      })
      .def("save", &LoadedFunction::save)
      .def("named_weights", &LoadedFunction::named_captures)
      .def_property_readonly("graph", [](const LoadedFunction& f) { return f.graph().str(); });
}
EMBER_PY_BINDING(40, bind_trace);

}  // namespace
}  // namespace ember::python
