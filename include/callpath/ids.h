// TraceId and SpanId: the two identifiers every span carries.
//
// Both are fixed-size byte arrays. An id whose bytes are all zero is invalid
// (W3C Trace Context), and so is the default-constructed one. Hex forms are
// lowercase; parsing accepts only lowercase hex, as W3C requires.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace callpath {

namespace detail {
// Writes 2*n lowercase hex characters for n bytes.
void BytesToHex(const uint8_t* bytes, size_t n, char* out) noexcept;
// Parses exactly 2*n lowercase hex characters; false on any other character.
bool HexToBytes(std::string_view hex, uint8_t* out, size_t n) noexcept;
// Same, but accepts upper- and lowercase (OTLP/JSON ids are case-insensitive).
bool HexToBytesAnyCase(std::string_view hex, uint8_t* out, size_t n) noexcept;
}  // namespace detail

template <size_t N>
class Id {
 public:
  static constexpr size_t kSize = N;
  static constexpr size_t kHexSize = 2 * N;

  constexpr Id() noexcept = default;
  explicit Id(const uint8_t (&bytes)[N]) noexcept { std::memcpy(bytes_.data(), bytes, N); }
  explicit Id(const std::array<uint8_t, N>& bytes) noexcept : bytes_(bytes) {}

  // Copies N bytes; returns an invalid id if `bytes` is not exactly N long.
  static Id FromBytes(std::string_view bytes) noexcept {
    Id id;
    if (bytes.size() == N) std::memcpy(id.bytes_.data(), bytes.data(), N);
    return id;
  }
  // Parses 2N lowercase hex characters; nullopt on bad length or character.
  // An all-zero id parses (it is well-formed) but IsValid() is false.
  static std::optional<Id> FromHex(std::string_view hex) noexcept {
    Id id;
    if (!detail::HexToBytes(hex, id.bytes_.data(), N)) return std::nullopt;
    return id;
  }

  bool IsValid() const noexcept {
    // Word-wide test: this runs on every span start (twice for the parent).
    uint64_t acc = 0;
    for (size_t i = 0; i + 8 <= N; i += 8) {
      uint64_t w;
      std::memcpy(&w, bytes_.data() + i, 8);
      acc |= w;
    }
    for (size_t i = N - N % 8; i < N; ++i) acc |= bytes_[i];
    return acc != 0;
  }
  const std::array<uint8_t, N>& bytes() const noexcept { return bytes_; }
  std::array<uint8_t, N>& mutable_bytes() noexcept { return bytes_; }
  std::string_view AsBytes() const noexcept {
    return {reinterpret_cast<const char*>(bytes_.data()), N};
  }

  // Writes exactly kHexSize characters, no terminator.
  void ToHex(char* out) const noexcept { detail::BytesToHex(bytes_.data(), N, out); }
  std::string ToHex() const {
    std::string s(kHexSize, '0');
    ToHex(s.data());
    return s;
  }

  friend bool operator==(const Id& a, const Id& b) noexcept { return a.bytes_ == b.bytes_; }
  friend bool operator!=(const Id& a, const Id& b) noexcept { return !(a == b); }
  friend bool operator<(const Id& a, const Id& b) noexcept { return a.bytes_ < b.bytes_; }

 private:
  std::array<uint8_t, N> bytes_{};
};

using TraceId = Id<16>;
using SpanId = Id<8>;

// Fast random ids from a per-thread generator seeded once from the OS.
// Thread-safe (each thread has its own state); never returns an invalid id.
// Trace ids are fully random, so the W3C random-trace-id flag may be set.
TraceId NewTraceId() noexcept;
SpanId NewSpanId() noexcept;

// A uniformly random 64-bit number from the same generator.
uint64_t RandomU64() noexcept;

}  // namespace callpath
