#pragma once
// CRC32C (Castagnoli), the checksum every local-log frame carries. Uses the SSE4.2 crc32
// instruction when the CPU has it (three chains at once, joined with carry-less multiplies, where
// it also has PCLMULQDQ) and a slicing-by-8 table otherwise; all give identical results.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

// Extends `crc` (the value returned for the bytes before `data`, 0 to start) over `data`.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

inline uint32_t Crc32c(const void* data, size_t size) { return Crc32cExtend(0, data, size); }
inline uint32_t Crc32c(std::string_view bytes) { return Crc32c(bytes.data(), bytes.size()); }

// The portable table path, exposed so tests can check it against the hardware path.
uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size);
// True when Crc32cExtend uses the crc32 instruction.
bool Crc32cHasHardware();

}  // namespace sluice
