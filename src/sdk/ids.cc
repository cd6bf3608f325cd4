#include "callpath/ids.h"

#include <sys/random.h>

#include <chrono>
#include <thread>

#include "sdk/random.h"
#include "text/hex.h"

namespace callpath {
namespace detail {

void BytesToHex(const uint8_t* bytes, size_t n, char* out) noexcept {
  text::HexEncode(bytes, n, out);
}

bool HexToBytes(std::string_view hex, uint8_t* out, size_t n) noexcept {
  return text::HexDecode(hex, out, n, text::HexCase::kLowerOnly);
}

bool HexToBytesAnyCase(std::string_view hex, uint8_t* out, size_t n) noexcept {
  return text::HexDecode(hex, out, n, text::HexCase::kAny);
}

}  // namespace detail

namespace detail {

constinit thread_local Xoshiro256 t_generator{};

namespace {
uint64_t SplitMix(uint64_t& x) noexcept {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

[[gnu::noinline]] void SeedGenerator(Xoshiro256& g) noexcept {
  uint64_t seed[4] = {};
  // getrandom never blocks once the pool is initialised; if it fails we fall
  // back to time and thread identity, which is still unique enough for ids.
  if (getrandom(seed, sizeof(seed), 0) != static_cast<ssize_t>(sizeof(seed))) {
    uint64_t x = static_cast<uint64_t>(
        std::chrono::high_resolution_clock::now().time_since_epoch().count());
    x ^= std::hash<std::thread::id>()(std::this_thread::get_id());
    for (auto& v : seed) v = SplitMix(x);
  }
  for (int i = 0; i < 4; ++i) g.s[i] = seed[i];
  if ((g.s[0] | g.s[1] | g.s[2] | g.s[3]) == 0) g.s[0] = 1;  // all-zero state is a fixed point
}

}  // namespace detail

uint64_t RandomU64() noexcept { return detail::Generator().Next(); }

TraceId NewTraceId() noexcept { return detail::MakeTraceId(detail::Generator()); }

SpanId NewSpanId() noexcept { return detail::MakeSpanId(detail::Generator()); }

}  // namespace callpath
