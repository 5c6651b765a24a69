#pragma once
// Counter-based pseudo-random numbers for the datagen store. Every generated value is a pure
// function of (seed, field, event number): a RandomStream is opened for that triple in O(1), so
// any row of any partition can be produced alone, in any order, by any worker, and projecting a
// subset of the columns never changes the values of the others.

#include <cstddef>
#include <cstdint>

namespace sluice::datagen {

inline constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ULL;

// The splitmix64 output function: a bijective 64-bit mixer with full avalanche.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A splitmix64 sequence (a Weyl counter fed through Mix64). It is chosen over a table-driven or
// multi-word generator because opening a stream costs one multiply-xor, which is what makes
// seeding every (field, event) pair affordable.
class RandomStream {
 public:
  explicit RandomStream(uint64_t state) : state_(state) {}

  uint64_t Next() {
    state_ += kGoldenGamma;
    return Mix64(state_);
  }
  // Uniform in [0, bound). REQUIRES: bound > 0. Lemire's multiply-shift without the rejection
  // step: the bias is below bound / 2^64, invisible for the bounds used here.
  uint64_t Below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }
  // Uniform in [0, 1) with 53 random bits.
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// The key of one field under one seed; computed once per column, not per row.
inline uint64_t FieldKey(uint64_t seed, uint64_t field) {
  return Mix64(Mix64(seed ^ 0x5DA7A6E1ULL) + (field + 1) * kGoldenGamma);
}

// The stream of one field of one event. The event number goes through a different odd constant
// than the Weyl step, so the streams of neighbouring events do not overlap; the first Next()
// already mixes, so the start state needs no mixing of its own.
inline RandomStream OpenStream(uint64_t field_key, int64_t event) {
  return RandomStream(field_key ^ (static_cast<uint64_t>(event) * 0xD1B54A32D192ED03ULL));
}

// Fills `out` with `length` lower-case letters, eight per 64-bit draw. The byte-to-letter map
// favours the first 22 letters by 10/256 against 9/256; fine for padding text, and twice as fast
// as drawing 16 bits per letter.
inline void FillLetters(RandomStream& stream, char* out, size_t length) {
  while (length >= 8) {
    uint64_t bits = stream.Next();
    for (int byte_idx = 0; byte_idx < 8; ++byte_idx) {
      out[byte_idx] = static_cast<char>('a' + (((bits >> (8 * byte_idx)) & 0xFF) * 26 >> 8));
    }
    out += 8;
    length -= 8;
  }
  if (length > 0) {
    uint64_t bits = stream.Next();
    for (size_t byte_idx = 0; byte_idx < length; ++byte_idx) {
      out[byte_idx] = static_cast<char>('a' + (((bits >> (8 * byte_idx)) & 0xFF) * 26 >> 8));
    }
  }
}

}  // namespace sluice::datagen
