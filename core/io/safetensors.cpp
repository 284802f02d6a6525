#include "core/io/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/cpu/copy.h"

namespace ember::io {
namespace {

using json = nlohmann::json;

// Safetensors dtype names.
const char* st_name(DType d) {
  switch (d) {
    case DType::Bool: return "BOOL";
    case DType::UInt8: return "U8";
    case DType::Int32: return "I32";
    case DType::Int64: return "I64";
    case DType::Float16: return "F16";
    case DType::BFloat16: return "BF16";
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
  }
  return "?";
}

DType st_dtype(const std::string& n, const std::string& key) {
  for (int i = 0; i < kNumDTypes; ++i) {
    if (n == st_name(static_cast<DType>(i))) return static_cast<DType>(i);
  }
  raise<ValueError>("[load] tensor '{}' has unsupported dtype '{}'", key, n);
}

json parse_header(const uint8_t* p, size_t n) {
  int depth = 0;
  auto guard = [&](int d, json::parse_event_t ev, json&) {
    if (ev == json::parse_event_t::object_start || ev == json::parse_event_t::array_start) {
      depth = d;
      if (d > kMaxJsonDepth) {
        raise<ValueError>("[load] header nests deeper than {} levels", kMaxJsonDepth);
      }
    }
    return true;
  };
  try {
    return json::parse(p, p + n, guard);
  } catch (const json::exception& e) {
    raise<ValueError>("[load] header is not valid JSON: {}", e.what());
  }
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

Entry parse_entry(const std::string& key, const json& v, uint64_t data_size) {
  if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") ||
      !v.contains("data_offsets")) {
    raise<ValueError>("[load] entry '{}' needs dtype, shape and data_offsets", key);
  }
  const json& dt = v["dtype"];
  const json& sh = v["shape"];
  const json& off = v["data_offsets"];
  if (!dt.is_string() || !sh.is_array() || !off.is_array() || off.size() != 2 ||
      !off[0].is_number_unsigned() || !off[1].is_number_unsigned()) {
    raise<ValueError>("[load] entry '{}' has malformed dtype, shape or data_offsets", key);
  }
  Entry e{key, st_dtype(dt.get<std::string>(), key), {}, off[0].get<uint64_t>(),
          off[1].get<uint64_t>()};
  if (sh.size() > 64) raise<ValueError>("[load] tensor '{}' has too many dims ({})", key, sh.size());
  unsigned __int128 numel = 1;
  for (const json& d : sh) {
    if (!d.is_number_unsigned()) raise<ValueError>("[load] tensor '{}' has a bad dimension", key);
    uint64_t x = d.get<uint64_t>();
    if (x > (uint64_t{1} << 48)) raise<ValueError>("[load] tensor '{}' has an absurd dimension {}", key, x);
    numel *= x;
    if (numel > data_size) {
      raise<ValueError>("[load] tensor '{}' has more elements than the file's {} data bytes "
                        "could hold", key, data_size);
    }
    e.shape.push_back(static_cast<int64_t>(std::min<uint64_t>(x, INT64_MAX)));
  }
  if (e.begin > e.end || e.end > data_size) {
    raise<ValueError>("[load] tensor '{}' data_offsets [{}, {}) lie outside the {} data bytes "
                      "(file truncated or corrupted)", key, e.begin, e.end, data_size);
  }
  unsigned __int128 want = numel * static_cast<unsigned __int128>(itemsize(e.dtype));
  if (want != e.end - e.begin) {
    raise<ValueError>("[load] tensor '{}' of shape {} and dtype {} needs {} bytes but its "
                      "data_offsets span {}", key, shape_str(e.shape), dtype_name(e.dtype),
                      static_cast<uint64_t>(want), e.end - e.begin);
  }
  return e;
}

}  // namespace

std::string to_safetensors(const NamedTensors& tensors, const Metadata& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::vector<Tensor> contiguous;
  for (auto& [name, t] : tensors) {
    if (name == "__metadata__") raise<ValueError>("[save] '__metadata__' is a reserved name");
    if (header.contains(name)) raise<ValueError>("[save] duplicate tensor name '{}'", name);
    if (!t.device().is_cpu()) raise<NotImplementedError>("[save] move '{}' to cpu first", name);
    Tensor c = contiguous_raw(t);
    uint64_t n = static_cast<uint64_t>(c.numel() * c.element_size());
    header[name] = {{"dtype", st_name(c.dtype())},
                    {"shape", std::vector<int64_t>(c.shape().begin(), c.shape().end())},
                    {"data_offsets", {offset, offset + n}}};
    offset += n;
    contiguous.push_back(c);
  }
  std::string h;
  try {
    h = header.dump();
  } catch (const json::exception& e) {  // found by tests/fuzz/fuzz_graph_json
    raise<ValueError>("[save] tensor names and metadata must be valid UTF-8: {}", e.what());
  }
  h.append((8 - h.size() % 8) % 8, ' ');  // keep the data 8-byte aligned, as the format advises
  std::string out;
  out.reserve(8 + h.size() + offset);
  uint64_t hl = h.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((hl >> (8 * i)) & 0xff));
  out += h;
  for (const Tensor& c : contiguous) {
    out.append(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
  }
  return out;
}

Safetensors from_safetensors(const uint8_t* data, size_t size) {
  if (size < 8) raise<ValueError>("[load] file is {} bytes: too short for a safetensors header", size);
  uint64_t hl = 0;
  for (int i = 0; i < 8; ++i) hl |= static_cast<uint64_t>(data[i]) << (8 * i);
  if (hl > kMaxHeaderBytes) {
    raise<ValueError>("[load] header claims {} bytes (limit {})", hl, kMaxHeaderBytes);
  }
  if (hl > size - 8) {
    raise<ValueError>("[load] header claims {} bytes but the file has only {} after the length "
                      "(truncated?)", hl, size - 8);
  }
  json header = parse_header(data + 8, hl);
  if (!header.is_object()) raise<ValueError>("[load] header must be a JSON object");
  const uint8_t* base = data + 8 + hl;
  uint64_t data_size = size - 8 - hl;
  Safetensors out;
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it.value().is_object()) raise<ValueError>("[load] __metadata__ must be an object");
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        if (!m.value().is_string()) raise<ValueError>("[load] metadata '{}' must be a string", m.key());
        out.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(it.key(), it.value(), data_size));
  }
  std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      raise<ValueError>("[load] tensors '{}' and '{}' overlap in the data section",
                        entries[i - 1].name, entries[i].name);
    }
  }
  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape, e.dtype);
    if (e.end > e.begin) std::memcpy(t.data_ptr(), base + e.begin, e.end - e.begin);
    out.tensors.emplace_back(e.name, std::move(t));
  }
  return out;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) dir = path.substr(0, slash);
  std::random_device rd;
  std::string tmp = fmt::format("{}.tmp{:x}", path, rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) raise<Error>("[save] cannot write '{}': {}", path, std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      raise<Error>("[save] writing '{}' failed: {}", path, std::strerror(err));
    }
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    raise<Error>("[save] flushing '{}' failed: {}", path, std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    raise<Error>("[save] replacing '{}' failed: {}", path, std::strerror(err));
  }
  // Persist the rename itself.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string read_file(const std::string& path, uint64_t max_bytes) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) raise<ValueError>("[load] cannot open '{}'", path);
  auto size = static_cast<uint64_t>(f.tellg());
  if (size > max_bytes) raise<ValueError>("[load] '{}' is {} bytes (limit {})", path, size, max_bytes);
  std::string bytes(size, '\0');
  f.seekg(0);
  if (!f.read(bytes.data(), static_cast<std::streamsize>(size))) {
    raise<ValueError>("[load] reading '{}' failed", path);
  }
  return bytes;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const Metadata& metadata) {
  write_file_atomic(path, to_safetensors(tensors, metadata));
}

Safetensors load_safetensors(const std::string& path) {
  std::string bytes = read_file(path, uint64_t{1} << 40);
  return from_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace ember::io
