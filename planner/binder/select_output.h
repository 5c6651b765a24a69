#pragma once
// The select list of a SELECT, plain or aggregating: output columns with unique names, each with
// its bound expression, and the Projection (then LIMIT) that ends the statement's plan.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/types.h"
#include "common/status.h"
#include "parser/ast.h"
#include "planner/logical/logical_operator.h"

namespace sluice {

// A select item's name without AS: a column's (or struct field's) own name, else its SQL text.
std::string DefaultItemName(const Expr& expr);

class SelectOutput {
 public:
  // Adds a column; a name already taken is a BINDER error at `position`.
  Status Add(std::string name, std::unique_ptr<Expression> expr, int64_t position);
  // Adds a select item's column, named by its alias or DefaultItemName.
  Status AddItem(const SelectItem& item, std::unique_ptr<Expression> expr);
  // Projection over `plan`, then LIMIT when `select` has one. Consumes the output.
  Result<std::unique_ptr<LogicalOperator>> Finish(std::unique_ptr<LogicalOperator> plan,
                                                  const SelectStatement& select);

 private:
  Schema schema_;
  std::vector<std::unique_ptr<Expression>> expressions_;
  std::set<std::string> names_;
};

}  // namespace sluice
