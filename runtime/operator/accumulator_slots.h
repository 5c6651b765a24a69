#pragma once
// The accumulators of one window group, one per aggregate call: up to kInline of them live inside
// the object, more in one heap array. A window operator holds 100K+ groups and most queries have
// one or two calls, so a std::vector would cost each group a heap allocation (and its header) plus
// 24 bytes of vector on top of the accumulators themselves.

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

class AccumulatorSlots {
 public:
  static constexpr size_t kInline = 2;

  AccumulatorSlots() = default;
  explicit AccumulatorSlots(size_t count) { assign(count); }
  AccumulatorSlots(const AccumulatorSlots& other) { CopyFrom(other); }
  AccumulatorSlots(AccumulatorSlots&& other) noexcept { MoveFrom(other); }
  AccumulatorSlots& operator=(const AccumulatorSlots& other) {
    if (this != &other) {
      Reset();
      CopyFrom(other);
    }
    return *this;
  }
  AccumulatorSlots& operator=(AccumulatorSlots&& other) noexcept {
    if (this != &other) {
      Reset();
      MoveFrom(other);
    }
    return *this;
  }
  ~AccumulatorSlots() { Reset(); }

  // Replaces the contents with `count` fresh accumulators.
  void assign(size_t count) {
    Reset();
    if (count > kInline) {
      heap_ = new AggregateAccumulator[count];
    } else {
      for (size_t idx = 0; idx < count; ++idx) new (InlineData() + idx) AggregateAccumulator();
    }
    size_ = static_cast<uint32_t>(count);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool is_inline() const { return size_ <= kInline; }
  AggregateAccumulator* data() { return is_inline() ? InlineData() : heap_; }
  const AggregateAccumulator* data() const {
    return is_inline() ? const_cast<AccumulatorSlots*>(this)->InlineData() : heap_;
  }
  AggregateAccumulator& operator[](size_t idx) { return data()[idx]; }
  const AggregateAccumulator& operator[](size_t idx) const { return data()[idx]; }
  AggregateAccumulator* begin() { return data(); }
  AggregateAccumulator* end() { return data() + size_; }
  const AggregateAccumulator* begin() const { return data(); }
  const AggregateAccumulator* end() const { return data() + size_; }

 private:
  AggregateAccumulator* InlineData() {
    return std::launder(reinterpret_cast<AggregateAccumulator*>(inline_));
  }
  void Reset() {
    if (is_inline()) {
      for (size_t idx = 0; idx < size_; ++idx) InlineData()[idx].~AggregateAccumulator();
    } else {
      delete[] heap_;
    }
    size_ = 0;
  }
  void CopyFrom(const AccumulatorSlots& other) {
    assign(other.size_);
    for (size_t idx = 0; idx < size_; ++idx) data()[idx] = other.data()[idx];
  }
  // Takes other's heap array, or moves its inline accumulators; leaves `other` empty.
  void MoveFrom(AccumulatorSlots& other) noexcept {
    if (other.is_inline()) {
      for (size_t idx = 0; idx < other.size_; ++idx) {
        new (InlineData() + idx) AggregateAccumulator(std::move(other.InlineData()[idx]));
      }
      size_ = other.size_;
      other.Reset();
    } else {
      heap_ = other.heap_;
      size_ = other.size_;
      other.size_ = 0;
    }
  }

  // First: every access reads it (inline or not), and a window group's first cache line then
  // holds it along with the first accumulator's first fields.
  uint32_t size_ = 0;
  union {
    AggregateAccumulator* heap_;  // while size_ > kInline
    alignas(AggregateAccumulator) unsigned char inline_[kInline * sizeof(AggregateAccumulator)];
  };
};

}  // namespace sluice
