#pragma once
// The contract between the datagen source and its generators (nexmark.*, random). A generator
// says which rows its stream has (StreamShape) and makes one DatagenColumn per declared column it
// is asked for; the source decides which rows a batch holds and lets each column fill itself.

#include <cstdint>
#include <memory>

#include "common/batch.h"
#include "common/status.h"
#include "common/types.h"
#include "runtime/connector/datagen/datagen_options.h"

namespace sluice {

// Which event numbers a stream's rows carry: within each block of `block` consecutive events, the
// stream holds the `count` events starting at `start`. The random generator's stream is every
// event (1, 0, 1); nexmark.bid holds events 4..49 of every 50.
struct StreamShape {
  int64_t block = 1;
  int64_t start = 0;
  int64_t count = 1;

  // Event number of stream row `row`.
  int64_t EventNumber(int64_t row) const {
    return (row / count) * block + start + row % count;
  }
  // Rows of the stream among events [0, events).
  int64_t RowCount(int64_t events) const {
    int64_t tail = events % block - start;
    return (events / block) * count + (tail < 0 ? 0 : (tail > count ? count : tail));
  }
};

// The rows of one batch: parallel arrays of event numbers (what seeds every value) and event
// times (epoch ms).
struct DatagenRows {
  const int64_t* events = nullptr;
  const int64_t* event_times = nullptr;
  size_t count = 0;
};

// Produces one column for runs of rows. Immutable after creation: Fill depends only on its
// arguments, which is what lets any partition be generated independently.
class DatagenColumn {
 public:
  virtual ~DatagenColumn() = default;
  // Appends one value per row to `column` (of the declared type). String bytes go to `arena`,
  // which the caller attaches to the column, or live in dictionary().
  virtual void Fill(const DatagenRows& rows, Column& column, StringArena& arena) const = 0;
  // Long-lived string storage the appended views may point into, or null.
  virtual std::shared_ptr<const StringArena> dictionary() const { return nullptr; }
  // True when every value equals the row's event time, so a timestamp needs no second pass.
  virtual bool is_event_time() const { return false; }
};

class DatagenGenerator {
 public:
  virtual ~DatagenGenerator() = default;
  virtual StreamShape shape() const = 0;
  // The column producing relation column `column_idx`. REQUIRES: the generator was made from the
  // schema holding that column, which it validated.
  virtual std::unique_ptr<DatagenColumn> MakeColumn(int column_idx) const = 0;
};

// Checks every declared column of `schema` against the generator `options` names (by name,
// case-insensitively, and by type) and the generator's options. BINDER errors.
Status CheckDatagenColumns(const DatagenOptions& options, const Schema& schema);

// Makes the generator for a relation. `timestamp_column` (-1 if none) is the relation's event
// time column; the random generator fills it with event time. Runs CheckDatagenColumns first.
Result<std::unique_ptr<DatagenGenerator>> MakeDatagenGenerator(const DatagenOptions& options,
                                                               const Schema& schema,
                                                               int timestamp_column);

}  // namespace sluice
