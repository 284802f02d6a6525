#include "core/io/npz.h"

#include <zlib.h>

#include <cstring>

#include "core/io/npy.h"
#include "core/io/safetensors.h"

namespace ember::io {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEnd = 0x06054b50;
constexpr uint64_t kMaxArchiveBytes = 16ull << 30;
// Deflate cannot expand data by more than about 1032:1; a larger claim is a lie.
constexpr uint64_t kMaxDeflateRatio = 1032;

// Little-endian reads, bounds-checked against the archive.
struct Reader {
  const uint8_t* data;
  size_t size;
  void need(size_t pos, size_t n, const char* what) const {
    if (pos > size || n > size - pos) {
      raise<ValueError>("[load_npz] truncated or corrupt archive: {} at byte {} runs past the "
                        "end ({} bytes)", what, pos, size);
    }
  }
  uint32_t u16(size_t pos) const { need(pos, 2, "field"); return data[pos] | (data[pos + 1] << 8); }
  uint32_t u32(size_t pos) const {
    need(pos, 4, "field");
    uint32_t v;
    std::memcpy(&v, data + pos, 4);
    return v;
  }
};

size_t find_end_record(const Reader& r) {
  if (r.size < 22) raise<ValueError>("[load_npz] not a zip archive ({} bytes)", r.size);
  size_t lowest = r.size > 22 + 65535 ? r.size - 22 - 65535 : 0;
  for (size_t pos = r.size - 22;; --pos) {
    if (r.u32(pos) == kEnd) return pos;
    if (pos == lowest) break;
  }
  raise<ValueError>("[load_npz] not a zip archive: no end-of-central-directory record");
}

std::string inflate_member(const uint8_t* src, size_t n, uint64_t out_size, const std::string& name) {
  if (out_size > kMaxDeflateRatio * std::max<uint64_t>(n, 1) + 1024) {
    raise<ValueError>("[load_npz] member '{}' claims {} bytes from {} compressed: not a valid "
                      "deflate stream", name, out_size, n);
  }
  std::string out(out_size, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) raise<Error>("[load_npz] zlib init failed");
  zs.next_in = const_cast<Bytef*>(src);
  zs.avail_in = static_cast<uInt>(n);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out_size);
  int rc = inflate(&zs, Z_FINISH);
  uint64_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != out_size) {
    raise<ValueError>("[load_npz] member '{}' is corrupt: inflating gave {} of {} bytes (zlib "
                      "status {})", name, produced, out_size, rc);
  }
  return out;
}

}  // namespace

NpzArrays parse_npz(const uint8_t* data, size_t size) {
  Reader r{data, size};
  size_t end = find_end_record(r);
  uint32_t count = r.u16(end + 10);
  size_t dir = r.u32(end + 16);
  NpzArrays out;
  size_t pos = dir;
  for (uint32_t i = 0; i < count; ++i) {
    if (r.u32(pos) != kCentralHeader) {
      raise<ValueError>("[load_npz] corrupt archive: bad central directory entry {}", i);
    }
    uint32_t method = r.u16(pos + 10);
    uint64_t csize = r.u32(pos + 20), usize = r.u32(pos + 24);
    size_t name_len = r.u16(pos + 28), extra_len = r.u16(pos + 30), comment_len = r.u16(pos + 32);
    size_t local = r.u32(pos + 42);
    r.need(pos + 46, name_len, "member name");
    std::string name(reinterpret_cast<const char*>(data + pos + 46), name_len);
    if (csize == 0xffffffffu || usize == 0xffffffffu || local == 0xffffffffu) {
      raise<ValueError>("[load_npz] member '{}' uses zip64 sizes, which are not supported", name);
    }
    if (r.u32(local) != kLocalHeader) {
      raise<ValueError>("[load_npz] corrupt archive: member '{}' has no local header", name);
    }
    size_t start = local + 30 + r.u16(local + 26) + r.u16(local + 28);
    r.need(start, csize, "member data");
    const uint8_t* src = data + start;
    std::string bytes;
    if (method == 0) {
      if (csize != usize) raise<ValueError>("[load_npz] stored member '{}' has mismatched sizes", name);
      bytes.assign(reinterpret_cast<const char*>(src), csize);
    } else if (method == 8) {
      bytes = inflate_member(src, csize, usize, name);
    } else {
      raise<ValueError>("[load_npz] member '{}' uses compression method {}; only stored and "
                        "deflated members are supported", name, method);
    }
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    out.emplace_back(name, parse_npy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    pos += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

NpzArrays load_npz(const std::string& path) {
  std::string bytes = read_file(path, kMaxArchiveBytes);
  return parse_npz(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace ember::io
