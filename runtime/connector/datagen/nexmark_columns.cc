#include "runtime/connector/datagen/nexmark_columns.h"

#include <string>
#include <utility>
#include <vector>

#include "common/value.h"
#include "runtime/connector/datagen/nexmark_model.h"

namespace sluice {

namespace {

using nexmark::EventKind;
using nexmark::FieldClass;
using nexmark::FieldInfo;
using nexmark::NexmarkField;
using nexmark::NexmarkModel;

struct KindFields {
  EventKind kind;
  std::string_view name;
  const std::vector<FieldInfo>& fields;
};

const std::vector<KindFields>& AllKinds() {
  static const std::vector<KindFields> kKinds = {
      {EventKind::kPerson, "person", nexmark::PersonFields()},
      {EventKind::kAuction, "auction", nexmark::AuctionFields()},
      {EventKind::kBid, "bid", nexmark::BidFields()}};
  return kKinds;
}

// How one declared column is made. A flat column is one field; a struct column is several
// fields of one kind. `conditional` columns are NULL for events of another kind.
struct ColumnPlan {
  DataType type;
  NexmarkField field = NexmarkField::kEventType;
  std::vector<NexmarkField> struct_fields;  // empty for a flat column
  EventKind kind = EventKind::kBid;
  bool conditional = false;
};

std::string FieldList(const std::vector<FieldInfo>& fields) {
  std::string list;
  for (const FieldInfo& field : fields) list += (list.empty() ? "" : ", ") + std::string(field.name);
  return list;
}

const FieldInfo* FindField(const std::vector<FieldInfo>& fields, std::string_view name) {
  for (const FieldInfo& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

Status CheckType(const FieldInfo& field, const DataType& type, std::string_view column_name) {
  TypeId id = type.id();
  bool ok = false;
  std::string_view expected;
  switch (field.field_class) {
    case FieldClass::kInteger:
      ok = id == TypeId::kBigint || id == TypeId::kInteger;
      expected = "BIGINT or INTEGER";
      break;
    case FieldClass::kTime:
      ok = id == TypeId::kTimestamp || id == TypeId::kBigint;
      expected = "TIMESTAMP or BIGINT (epoch milliseconds)";
      break;
    case FieldClass::kString:
      ok = id == TypeId::kVarchar;
      expected = "VARCHAR";
      break;
  }
  if (ok) return Status::OK();
  return Status::Binder("datagen column \"" + std::string(column_name) + "\" must be " +
                        std::string(expected) + ", not " + type.ToString());
}

const std::vector<FieldInfo>& FieldsOf(DatagenGeneratorKind generator) {
  switch (generator) {
    case DatagenGeneratorKind::kNexmarkPerson: return nexmark::PersonFields();
    case DatagenGeneratorKind::kNexmarkAuction: return nexmark::AuctionFields();
    default: return nexmark::BidFields();
  }
}

Result<ColumnPlan> PlanEventColumn(const Field& column, const std::string& name) {
  ColumnPlan plan;
  plan.type = column.type;
  if (name == "event_type" || name == "datetime") {
    FieldInfo info = name == "event_type"
                         ? FieldInfo{NexmarkField::kEventType, name, FieldClass::kInteger}
                         : FieldInfo{NexmarkField::kEventDateTime, name, FieldClass::kTime};
    RETURN_NOT_OK(CheckType(info, column.type, column.name));
    plan.field = info.field;
    return plan;
  }
  for (const KindFields& kind : AllKinds()) {
    plan.kind = kind.kind;
    plan.conditional = true;
    if (name == kind.name) {
      if (column.type.id() != TypeId::kStruct) {
        return Status::Binder("datagen column \"" + column.name + "\" must be a STRUCT of " +
                              std::string(kind.name) + " fields (" + FieldList(kind.fields) +
                              "), not " + column.type.ToString());
      }
      for (size_t field_idx = 0; field_idx < column.type.field_names().size(); ++field_idx) {
        std::string field_name = AsciiLower(column.type.field_names()[field_idx]);
        const FieldInfo* info = FindField(kind.fields, field_name);
        if (info == nullptr) {
          return Status::Binder("datagen column \"" + column.name + "\" has field \"" +
                                column.type.field_names()[field_idx] + "\", which a " +
                                std::string(kind.name) + " does not have; its fields: " +
                                FieldList(kind.fields));
        }
        RETURN_NOT_OK(CheckType(*info, column.type.children()[field_idx],
                                column.name + "." + column.type.field_names()[field_idx]));
        plan.struct_fields.push_back(info->field);
      }
      return plan;
    }
    std::string prefix = std::string(kind.name) + "_";
    if (name.rfind(prefix, 0) == 0) {
      if (const FieldInfo* info = FindField(kind.fields, name.substr(prefix.size()))) {
        RETURN_NOT_OK(CheckType(*info, column.type, column.name));
        plan.field = info->field;
        return plan;
      }
    }
  }
  return Status::Binder("datagen generator 'nexmark.event' has no column \"" + column.name +
                        "\"; its columns: event_type, datetime, person, auction, bid (STRUCTs "
                        "of the kind's fields) and person_<field>, auction_<field>, "
                        "bid_<field>");
}

Result<ColumnPlan> PlanColumn(const DatagenOptions& options, const Field& column) {
  std::string name = AsciiLower(column.name);
  if (options.generator == DatagenGeneratorKind::kNexmarkEvent) {
    return PlanEventColumn(column, name);
  }
  const std::vector<FieldInfo>& fields = FieldsOf(options.generator);
  const FieldInfo* info = FindField(fields, name);
  if (info == nullptr) {
    return Status::Binder("datagen generator '" + options.generator_name + "' has no column \"" +
                          column.name + "\"; its columns: " + FieldList(fields));
  }
  RETURN_NOT_OK(CheckType(*info, column.type, column.name));
  ColumnPlan plan;
  plan.type = column.type;
  plan.field = info->field;
  plan.kind = nexmark::KindOfField(info->field);
  return plan;
}

// Per-row values, appended straight into the column's vectors.
class NexmarkIntColumn final : public DatagenColumn {
 public:
  NexmarkIntColumn(std::shared_ptr<const NexmarkModel> model, ColumnPlan plan)
      : model_(std::move(model)), plan_(std::move(plan)) {}

  void Fill(const DatagenRows& rows, Column& column, StringArena&) const override {
    const bool narrow = plan_.type.id() == TypeId::kInteger;
    if (plan_.conditional) {
      for (size_t row_idx = 0; row_idx < rows.count; ++row_idx) {
        int64_t event = rows.events[row_idx];
        if (nexmark::KindOf(event) != plan_.kind) {
          column.AppendNull();
        } else {
          int64_t value = model_->IntField(plan_.field, event);
          column.AppendInt64(narrow ? static_cast<int32_t>(value) : value);
        }
      }
      return;
    }
    size_t base = column.size();
    column.valid().resize(base + rows.count, 1);
    column.ints().resize(base + rows.count);
    int64_t* out = column.ints().data() + base;
    if (is_event_time()) {
      for (size_t row_idx = 0; row_idx < rows.count; ++row_idx) out[row_idx] = rows.event_times[row_idx];
      return;
    }
    for (size_t row_idx = 0; row_idx < rows.count; ++row_idx) {
      int64_t value = model_->IntField(plan_.field, rows.events[row_idx]);
      out[row_idx] = narrow ? static_cast<int32_t>(value) : value;
    }
  }

  bool is_event_time() const override {
    return !plan_.conditional && nexmark::IsEventTimeField(plan_.field);
  }

 private:
  std::shared_ptr<const NexmarkModel> model_;
  ColumnPlan plan_;
};

class NexmarkStringColumn final : public DatagenColumn {
 public:
  NexmarkStringColumn(std::shared_ptr<const NexmarkModel> model, ColumnPlan plan)
      : model_(std::move(model)), plan_(std::move(plan)) {}

  void Fill(const DatagenRows& rows, Column& column, StringArena& arena) const override {
    if (plan_.conditional) {
      for (size_t row_idx = 0; row_idx < rows.count; ++row_idx) {
        int64_t event = rows.events[row_idx];
        if (nexmark::KindOf(event) != plan_.kind) {
          column.AppendNull();
        } else {
          column.AppendStringView(model_->StringField(plan_.field, event, arena));
        }
      }
      return;
    }
    size_t base = column.size();
    column.valid().resize(base + rows.count, 1);
    column.strings().resize(base + rows.count);
    std::string_view* out = column.strings().data() + base;
    for (size_t row_idx = 0; row_idx < rows.count; ++row_idx) {
      out[row_idx] = model_->StringField(plan_.field, rows.events[row_idx], arena);
    }
  }

  std::shared_ptr<const StringArena> dictionary() const override { return model_->dictionary(); }

 private:
  std::shared_ptr<const NexmarkModel> model_;
  ColumnPlan plan_;
};

// nexmark.event's person / auction / bid STRUCT columns: the slow path, one Value per event.
class NexmarkStructColumn final : public DatagenColumn {
 public:
  NexmarkStructColumn(std::shared_ptr<const NexmarkModel> model, ColumnPlan plan)
      : model_(std::move(model)), plan_(std::move(plan)) {}

  void Fill(const DatagenRows& rows, Column& column, StringArena& arena) const override {
    const std::vector<DataType>& field_types = plan_.type.children();
    for (size_t row_idx = 0; row_idx < rows.count; ++row_idx) {
      int64_t event = rows.events[row_idx];
      if (nexmark::KindOf(event) != plan_.kind) {
        column.AppendNull();
        continue;
      }
      std::vector<Value> values;
      values.reserve(plan_.struct_fields.size());
      for (size_t field_idx = 0; field_idx < plan_.struct_fields.size(); ++field_idx) {
        NexmarkField field = plan_.struct_fields[field_idx];
        switch (field_types[field_idx].id()) {
          case TypeId::kVarchar:
            values.push_back(Value::Varchar(std::string(model_->StringField(field, event, arena))));
            break;
          case TypeId::kInteger:
            values.push_back(Value::Integer(static_cast<int32_t>(model_->IntField(field, event))));
            break;
          case TypeId::kTimestamp:
            values.push_back(Value::Timestamp(model_->IntField(field, event)));
            break;
          default: values.push_back(Value::Bigint(model_->IntField(field, event))); break;
        }
      }
      column.AppendNested(Value::Struct(plan_.type, std::move(values)));
    }
  }

 private:
  std::shared_ptr<const NexmarkModel> model_;
  ColumnPlan plan_;
};

class NexmarkGenerator final : public DatagenGenerator {
 public:
  NexmarkGenerator(std::shared_ptr<const NexmarkModel> model, StreamShape shape,
                   std::vector<ColumnPlan> plans)
      : model_(std::move(model)), shape_(shape), plans_(std::move(plans)) {}

  StreamShape shape() const override { return shape_; }

  std::unique_ptr<DatagenColumn> MakeColumn(int column_idx) const override {
    const ColumnPlan& plan = plans_[static_cast<size_t>(column_idx)];
    if (!plan.struct_fields.empty() || plan.type.id() == TypeId::kStruct) {
      return std::make_unique<NexmarkStructColumn>(model_, plan);
    }
    if (plan.type.id() == TypeId::kVarchar) {
      return std::make_unique<NexmarkStringColumn>(model_, plan);
    }
    return std::make_unique<NexmarkIntColumn>(model_, plan);
  }

 private:
  std::shared_ptr<const NexmarkModel> model_;
  StreamShape shape_;
  std::vector<ColumnPlan> plans_;  // one per relation column
};

StreamShape ShapeOf(DatagenGeneratorKind generator) {
  using nexmark::kAuctionProportion;
  using nexmark::kBidProportion;
  using nexmark::kPersonProportion;
  using nexmark::kTotalProportion;
  switch (generator) {
    case DatagenGeneratorKind::kNexmarkPerson: return {kTotalProportion, 0, kPersonProportion};
    case DatagenGeneratorKind::kNexmarkAuction:
      return {kTotalProportion, kPersonProportion, kAuctionProportion};
    case DatagenGeneratorKind::kNexmarkBid:
      return {kTotalProportion, kPersonProportion + kAuctionProportion, kBidProportion};
    default: return {1, 0, 1};
  }
}

}  // namespace

Status CheckNexmarkColumns(const DatagenOptions& options, const Schema& schema) {
  for (const Field& column : schema.fields()) {
    RETURN_NOT_OK(PlanColumn(options, column).status());
  }
  return Status::OK();
}

Result<std::unique_ptr<DatagenGenerator>> MakeNexmarkGenerator(const DatagenOptions& options,
                                                               const Schema& schema) {
  std::vector<ColumnPlan> plans;
  for (const Field& column : schema.fields()) {
    ASSIGN_OR_RETURN(ColumnPlan plan, PlanColumn(options, column));
    plans.push_back(std::move(plan));
  }
  auto model = std::make_shared<const NexmarkModel>(options);
  return std::unique_ptr<DatagenGenerator>(
      std::make_unique<NexmarkGenerator>(std::move(model), ShapeOf(options.generator),
                                         std::move(plans)));
}

}  // namespace sluice
