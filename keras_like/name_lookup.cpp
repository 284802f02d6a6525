#include "keras_like/name_lookup.h"

#include <cctype>

namespace ember::keras {

std::string normalize_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace ember::keras
