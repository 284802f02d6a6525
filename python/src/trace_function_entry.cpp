// ember._C.trace.FunctionEntry: the base class of ember.Function (python/ember/_function.py)
// whose __call__ is C++. A call whose arguments are tensors only, like the last call that
// armed it (same count, same module train/eval modes, same default dtype), goes straight to
// trace::Function::try_replay with that call's signature key; anything else, or a replay
// try_replay declines (a new shape, dtype, requires_grad, grad mode, an outer trace), goes to
// the Python method `_call`, which does the full flatten / key / retrace work and arms the
// fast path again. Written against the CPython API rather than pybind11 because pybind11's
// call dispatch cost more than a small replayed training step's own Python overhead.
#include <Python.h>

#include "python/src/bindings.h"
#include "python/src/trace_mode_key.h"
#include "trace/function.h"

namespace ember::python {
namespace {

// What the fast path needs; set up once by _fast_setup, keys by _fast_arm.
struct FastState {
  std::shared_ptr<trace::Function> fn;
  const ModeKey* modes = nullptr;  // null: the function reaches no modules
  py::object modes_owner;          // keeps `modes` alive
  py::object out_desc;             // Function._out_desc: signature key -> output description
  py::object one_tensor;           // _ONE_TENSOR
  py::object rebuild;              // _rebuild(desc, iterator)
  py::object dtype_key;            // _default_dtype_key, a one-item list
  PyTypeObject* tensor_type = nullptr;
  // Armed by the last full call with tensor arguments only:
  bool armed = false;
  Py_ssize_t nargs = 0;
  std::string key, mode;
  py::object key_obj, pending, dtype_item;
  int active = 0;  // fast calls in progress on this object
};

struct EntryObject {
  PyObject_HEAD FastState* state;
};

PyObject* slow_call(PyObject* self, PyObject* args, PyObject* kwargs) {
  PyObject* method = PyObject_GetAttrString(self, "_call");
  if (!method) return nullptr;
  PyObject* result = PyObject_Call(method, args, kwargs);
  Py_DECREF(method);
  return result;
}

// Sets self._pending for the duration of a fast call (the Python callable reads it when the
// replay runs the function: check mode, a retrace for gradients) and restores it.
class PendingScope {
 public:
  PendingScope(PyObject* self, PyObject* value) : self_(self) {
    static PyObject* name = PyUnicode_InternFromString("_pending");
    name_ = name;
    prev_ = PyObject_GetAttr(self, name);
    if (!prev_) PyErr_Clear();
    ok_ = PyObject_SetAttr(self, name, value) == 0;
  }
  ~PendingScope() {
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);  // keep an exception being raised
    if (prev_) {
      PyObject_SetAttr(self_, name_, prev_);
      Py_DECREF(prev_);
    }
    PyErr_Restore(type, value, tb);
  }
  bool ok() const { return ok_; }

 private:
  PyObject* self_;
  PyObject* name_;
  PyObject* prev_ = nullptr;
  bool ok_ = false;
};

// The replay's outputs as the Python function returned them.
PyObject* to_python(FastState& st, std::vector<Tensor>&& out) {
  PyObject* desc = PyDict_GetItemWithError(st.out_desc.ptr(), st.key_obj.ptr());
  if (!desc) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_KeyError, "[function] no output description");
    return nullptr;
  }
  if (desc == st.one_tensor.ptr() && out.size() == 1) {
    return py::cast(std::move(out[0])).release().ptr();
  }
  py::list items = py::cast(std::move(out));
  return st.rebuild(py::handle(desc), py::iter(items)).release().ptr();
}

// The fast path; nullptr without an exception set means "take the full path".
PyObject* try_fast(PyObject* self, FastState& st, PyObject* args, PyObject* kwargs) {
  if (!st.armed || (kwargs && PyDict_GET_SIZE(kwargs) != 0) || PyTuple_GET_SIZE(args) != st.nargs ||
      PyList_GET_ITEM(st.dtype_key.ptr(), 0) != st.dtype_item.ptr()) {
    return nullptr;
  }
  std::vector<Tensor> tensors;
  tensors.reserve(st.nargs);
  for (Py_ssize_t i = 0; i < st.nargs; ++i) {
    PyObject* a = PyTuple_GET_ITEM(args, i);
    if (Py_TYPE(a) != st.tensor_type) return nullptr;
    py::detail::make_caster<Tensor> caster;
    if (!caster.load(a, false)) return nullptr;
    tensors.push_back(py::detail::cast_op<const Tensor&>(caster));
  }
  if (st.modes && (*st.modes)() != st.mode) return nullptr;
  PendingScope pending(self, st.pending.ptr());
  if (!pending.ok()) return nullptr;
  std::optional<std::vector<Tensor>> out;
  ++st.active;
  try {
    out = st.fn->try_replay(tensors, st.key);
  } catch (py::error_already_set& e) {
    --st.active;
    e.restore();
    return nullptr;
  } catch (...) {
    --st.active;
    py::detail::try_translate_exceptions();
    return nullptr;
  }
  --st.active;
  if (!out) return nullptr;
  try {
    return to_python(st, std::move(*out));
  } catch (py::error_already_set& e) {
    e.restore();
    return nullptr;
  }
}

PyObject* entry_call(PyObject* self, PyObject* args, PyObject* kwargs) {
  FastState* st = reinterpret_cast<EntryObject*>(self)->state;
  if (st) {
    PyObject* result = try_fast(self, *st, args, kwargs);
    if (result || PyErr_Occurred()) return result;
  }
  return slow_call(self, args, kwargs);
}

void entry_dealloc(PyObject* self) {
  auto* e = reinterpret_cast<EntryObject*>(self);
  delete e->state;
  e->state = nullptr;
  Py_TYPE(self)->tp_free(self);
}

FastState& state_of(PyObject* self) {
  auto* e = reinterpret_cast<EntryObject*>(self);
  if (!e->state) e->state = new FastState();
  return *e->state;
}

// _fast_setup(cpp_function, mode_key_or_None, out_desc, one_tensor, rebuild, dtype_key, Tensor)
PyObject* fast_setup(PyObject* self, PyObject* const* a, Py_ssize_t n) {
  if (n != 7) {
    PyErr_SetString(PyExc_TypeError, "_fast_setup takes 7 arguments");
    return nullptr;
  }
  try {
    FastState& st = state_of(self);
    st.fn = py::cast<std::shared_ptr<trace::Function>>(py::handle(a[0]));
    st.modes = a[1] == Py_None ? nullptr : py::cast<const ModeKey*>(py::handle(a[1]));
    st.modes_owner = py::reinterpret_borrow<py::object>(a[1]);
    st.out_desc = py::reinterpret_borrow<py::object>(a[2]);
    st.one_tensor = py::reinterpret_borrow<py::object>(a[3]);
    st.rebuild = py::reinterpret_borrow<py::object>(a[4]);
    st.dtype_key = py::reinterpret_borrow<py::object>(a[5]);
    if (!PyDict_Check(a[2]) || !PyList_Check(a[5]) || PyList_GET_SIZE(a[5]) != 1 ||
        !PyType_Check(a[6])) {
      PyErr_SetString(PyExc_TypeError, "_fast_setup: unexpected argument types");
      return nullptr;
    }
    st.tensor_type = reinterpret_cast<PyTypeObject*>(a[6]);
    st.armed = false;
  } catch (py::error_already_set& e) {
    e.restore();
    return nullptr;
  } catch (...) {
    py::detail::try_translate_exceptions();
    return nullptr;
  }
  Py_RETURN_NONE;
}

// _fast_arm(nargs, key, mode, pending, dtype_item): later calls with `nargs` tensors, the
// module modes `mode` and the default dtype key `dtype_item` (identity) replay with `key`.
PyObject* fast_arm(PyObject* self, PyObject* const* a, Py_ssize_t n) {
  FastState& st = state_of(self);
  if (n != 5 || !st.fn || !PyUnicode_Check(a[1]) || !PyUnicode_Check(a[2])) {
    PyErr_SetString(PyExc_TypeError, "_fast_arm(nargs, key, mode, pending, dtype_item)");
    return nullptr;
  }
  Py_ssize_t nargs = PyLong_AsSsize_t(a[0]);
  if (nargs < 0 && PyErr_Occurred()) return nullptr;
  Py_ssize_t len = 0;
  const char* key = PyUnicode_AsUTF8AndSize(a[1], &len);
  if (!key) return nullptr;
  st.key.assign(key, len);
  const char* mode = PyUnicode_AsUTF8AndSize(a[2], &len);
  if (!mode) return nullptr;
  st.mode.assign(mode, len);
  st.nargs = nargs;
  st.key_obj = py::reinterpret_borrow<py::object>(a[1]);
  st.pending = py::reinterpret_borrow<py::object>(a[3]);
  st.dtype_item = py::reinterpret_borrow<py::object>(a[4]);
  st.armed = true;
  Py_RETURN_NONE;
}

// _fast_disarm(): the next calls take the full path (until armed again).
PyObject* fast_disarm(PyObject* self, PyObject*) {
  state_of(self).armed = false;
  Py_RETURN_NONE;
}

// _fast_active: whether a fast call of this object is running (its warnings skip one frame
// fewer: no Python __call__ frame sits between the caller and the warning).
PyObject* fast_active(PyObject* self, void*) {
  auto* e = reinterpret_cast<EntryObject*>(self);
  return PyBool_FromLong(e->state && e->state->active > 0);
}

PyMethodDef entry_methods[] = {
    {"_fast_setup", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(fast_setup)),
     METH_FASTCALL, nullptr},
    {"_fast_arm", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(fast_arm)),
     METH_FASTCALL, nullptr},
    {"_fast_disarm", fast_disarm, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr}};

PyGetSetDef entry_getset[] = {{"_fast_active", fast_active, nullptr, nullptr, nullptr},
                              {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyTypeObject entry_type = [] {
  PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
  t.tp_name = "ember._C.trace.FunctionEntry";
  t.tp_basicsize = sizeof(EntryObject);
  t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
  t.tp_doc = "Base of ember.Function: a C++ __call__ that replays the last signature directly.";
  t.tp_new = PyType_GenericNew;
  t.tp_dealloc = entry_dealloc;
  t.tp_call = entry_call;
  t.tp_methods = entry_methods;
  t.tp_getset = entry_getset;
  return t;
}();

void bind_function_entry(py::module_& m) {
  if (PyType_Ready(&entry_type) < 0) throw py::error_already_set();
  py::module_ tm = m.attr("trace");
  Py_INCREF(&entry_type);
  tm.add_object("FunctionEntry",
                py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(&entry_type)));
}
EMBER_PY_BINDING(41, bind_function_entry);

}  // namespace
}  // namespace ember::python
