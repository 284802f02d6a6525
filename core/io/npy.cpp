#include "core/io/npy.h"

#include <cstring>

#include "core/cpu/copy.h"
#include "core/io/safetensors.h"

namespace ember::io {
namespace {

const char* descr(DType d) {
  switch (d) {
    case DType::Bool: return "|b1";
    case DType::UInt8: return "|u1";
    case DType::Int32: return "<i4";
    case DType::Int64: return "<i8";
    case DType::Float16: return "<f2";
    case DType::Float32: return "<f4";
    case DType::Float64: return "<f8";
    case DType::BFloat16: break;
  }
  raise<TypeError>("[save_npy] NumPy has no {} dtype; convert first", dtype_name(d));
}

DType from_descr(const std::string& d) {
  for (DType t : {DType::Bool, DType::UInt8, DType::Int32, DType::Int64, DType::Float16,
                  DType::Float32, DType::Float64}) {
    std::string x = descr(t);
    if (d == x || (x[0] == '<' && d == "=" + x.substr(1)) || (x[0] == '|' && d == "<" + x.substr(1))) return t;
  }
  raise<ValueError>("[load_npy] unsupported dtype descr '{}' (big-endian or unknown)", d);
}

// The value after `'key':` in a Python dict literal, up to the matching delimiter.
std::string dict_field(const std::string& h, const std::string& key) {
  auto k = h.find("'" + key + "'");
  if (k == std::string::npos) raise<ValueError>("[load_npy] header lacks '{}'", key);
  auto c = h.find(':', k);
  if (c == std::string::npos) raise<ValueError>("[load_npy] malformed header");
  size_t b = h.find_first_not_of(' ', c + 1);
  if (b == std::string::npos) raise<ValueError>("[load_npy] malformed header");
  char open = h[b];
  size_t e;
  if (open == '\'') {
    e = h.find('\'', b + 1);
    if (e == std::string::npos) raise<ValueError>("[load_npy] malformed header");
    return h.substr(b + 1, e - b - 1);
  }
  if (open == '(') {
    e = h.find(')', b);
    if (e == std::string::npos) raise<ValueError>("[load_npy] malformed header");
    return h.substr(b + 1, e - b - 1);
  }
  e = h.find_first_of(",}", b);
  if (e == std::string::npos) raise<ValueError>("[load_npy] malformed header");
  return h.substr(b, e - b);
}

}  // namespace

Tensor parse_npy(const uint8_t* p, size_t size) {
  if (size < 10 || std::memcmp(p, "\x93NUMPY", 6) != 0) raise<ValueError>("[load_npy] not a .npy file");
  uint8_t major = p[6];
  size_t hl, start;
  if (major == 1) {
    hl = p[8] | (p[9] << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) raise<ValueError>("[load_npy] truncated header");
    hl = p[8] | (p[9] << 8) | (p[10] << 16) | (static_cast<size_t>(p[11]) << 24);
    start = 12;
  } else {
    raise<ValueError>("[load_npy] unsupported format version {}", major);
  }
  if (hl > size - start || hl > (1u << 20)) raise<ValueError>("[load_npy] truncated header");
  std::string h(reinterpret_cast<const char*>(p + start), hl);
  DType dt = from_descr(dict_field(h, "descr"));
  bool fortran = dict_field(h, "fortran_order").find("True") != std::string::npos;
  Shape shape;
  std::string dims = dict_field(h, "shape");
  size_t i = 0;
  while (i < dims.size()) {
    size_t j = dims.find(',', i);
    std::string tok = dims.substr(i, j == std::string::npos ? std::string::npos : j - i);
    tok.erase(0, tok.find_first_not_of(' '));
    if (!tok.empty()) {
      char* end = nullptr;
      long long v = std::strtoll(tok.c_str(), &end, 10);
      if (v < 0 || v > (1ll << 40) || end == tok.c_str()) raise<ValueError>("[load_npy] bad shape '{}'", dims);
      shape.push_back(v);
    }
    if (j == std::string::npos) break;
    i = j + 1;
  }
  unsigned __int128 bytes = itemsize(dt);
  for (int64_t d : shape) bytes *= static_cast<uint64_t>(d);
  size_t data_at = start + hl;
  if (bytes != size - data_at) {
    raise<ValueError>("[load_npy] shape {} of {} needs {} bytes, the file holds {}", shape_str(shape),
                      dtype_name(dt), static_cast<uint64_t>(bytes), size - data_at);
  }
  Shape stored = shape;
  if (fortran) std::reverse(stored.begin(), stored.end());
  Tensor t = Tensor::empty(stored, dt);
  if (bytes) std::memcpy(t.data_ptr(), p + data_at, static_cast<size_t>(bytes));
  if (!fortran) return t;
  Shape perm;
  for (int64_t d = t.dim() - 1; d >= 0; --d) perm.push_back(d);
  Strides st;
  for (int64_t d : perm) st.push_back(t.strides()[d]);
  return contiguous_raw(make_view(t, shape, st, 0));
}

Tensor load_npy(const std::string& path) {
  std::string b = read_file(path, uint64_t{1} << 40);
  return parse_npy(reinterpret_cast<const uint8_t*>(b.data()), b.size());
}

std::string to_npy(const Tensor& t) {
  Tensor c = contiguous_raw(t);
  std::string dims;
  for (int64_t d : c.shape()) dims += std::to_string(d) + ",";
  if (c.dim() > 1) dims.pop_back();
  std::string h = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
                              descr(c.dtype()), dims);
  size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  out += h;
  out.append(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
  return out;
}

void save_npy(const std::string& path, const Tensor& t) { write_file_atomic(path, to_npy(t)); }

}  // namespace ember::io
