#pragma once
// Vectorized evaluation of bound expressions over a RecordBatch: each node computes a whole batch
// with tight loops over typed vectors. Run-time failures (a bad cast, division by zero, overflow,
// an invalid regex that arrived in the data) are EXECUTION errors that name the function and the
// value, and EvalContext::error_row says which input row failed, so the pipeline can apply the
// source's bad-record policy to exactly that record.

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "common/batch.h"
#include "common/status.h"
#include "runtime/expression/expression_node.h"

namespace sluice {

class RegexCache;

// Mutable evaluation state for one pipeline (one thread): the failing row of the last error,
// NOW()'s value, RANDOM()'s generator and caches for patterns that arrive as data. Expressions
// themselves stay immutable, so one plan can run in many pipelines.
class EvalContext {
 public:
  EvalContext();
  ~EvalContext();
  EvalContext(const EvalContext&) = delete;
  EvalContext& operator=(const EvalContext&) = delete;

  // Row (index into the input batch) of the last EXECUTION error, or -1. Callers reset it.
  int64_t error_row = -1;
  // NOW() for the current batch, epoch ms. When -1, every Evaluate call reads the clock once, so
  // NOW() is fixed within a batch's evaluation; a pipeline may set it per batch to share it
  // between a filter and a projection.
  int64_t now_millis = -1;

  // Seeded on first use, so a context costs nothing for queries without RANDOM().
  std::mt19937_64& random();
  RegexCache& regex_cache();

 private:
  bool random_seeded_ = false;
  std::mt19937_64 random_;
  std::unique_ptr<RegexCache> regex_cache_;
};

// Computes `expr` for every row of `input` into `out` (replacing its contents; out's type becomes
// expr.type()). Column references share the input column's string arenas instead of copying.
Status Evaluate(const Expression& expr, const RecordBatch& input, Column* out,
                EvalContext& context);

// keep[row] = 1 when `predicate` IS TRUE for the row (NULL and FALSE drop it).
// REQUIRES: predicate.type() is BOOLEAN.
Status EvaluateFilter(const Expression& predicate, const RecordBatch& input,
                      std::vector<uint8_t>* keep, EvalContext& context);

// Evaluates an expression without column references (a VALUES cell, a folded constant).
Result<Value> EvaluateScalar(const Expression& expr, EvalContext& context);

}  // namespace sluice
