#include "plugins/protocol/h2/frame_header_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace ferry::plugins::protocol::h2 {
namespace {

std::string frame(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
  std::string out;
  out.push_back(static_cast<char>(payload.size() >> 16));
  out.push_back(static_cast<char>(payload.size() >> 8));
  out.push_back(static_cast<char>(payload.size()));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(flags));
  out.push_back(static_cast<char>(stream >> 24));
  out.push_back(static_cast<char>(stream >> 16));
  out.push_back(static_cast<char>(stream >> 8));
  out.push_back(static_cast<char>(stream));
  return out + payload;
}

TEST(FrameHeaderScannerTest, FindsEveryHeaderWhateverTheSplit) {
  const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  const std::string wire = preface + frame(4, 0, 0, "") + frame(1, 5, 1, "abc") +
                           frame(0, 1, 3, std::string(70000, 'x')) + frame(0, 0, 0x80000005, "y");
  const std::vector<std::tuple<int, int, int32_t>> expected = {{4, 0, 0}, {1, 5, 1}, {0, 1, 3}, {0, 0, 5}};
  for (std::size_t step : {1, 2, 9, 10, 4096, 1 << 20}) {
    FrameHeaderScanner scanner(static_cast<uint32_t>(preface.size()));
    std::vector<std::tuple<int, int, int32_t>> seen;
    for (std::size_t at = 0; at < wire.size(); at += step) {
      scanner.scan(std::string_view(wire).substr(at, step),
                   [&](uint8_t type, uint8_t flags, int32_t id) { seen.emplace_back(type, flags, id); });
    }
    EXPECT_EQ(seen, expected) << "reads of " << step << " bytes";
  }
}

}  // namespace
}  // namespace ferry::plugins::protocol::h2
