#pragma once
// Typed expressions of the data plane, in one include: the bound tree (expression_node.h), the
// binder's factories (expression_factory.h), the type lattice (type_rules.h), vectorized
// evaluation (evaluate.h) and plan serialization (expression_json.h).

#include "runtime/expression/evaluate.h"
#include "runtime/expression/expression_factory.h"
#include "runtime/expression/expression_json.h"
#include "runtime/expression/expression_node.h"
#include "runtime/expression/type_rules.h"
