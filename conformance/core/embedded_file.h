#pragma once
// A file compiled into the binary (cmake/LeptonEmbed.cmake generates the tables).

#include <string_view>

namespace lepton {

struct EmbeddedFile {
  std::string_view path;  // relative to the directory it was embedded from
  std::string_view bytes;
};

}  // namespace lepton
