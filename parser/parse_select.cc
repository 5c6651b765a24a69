// SELECT and its FROM clause: relations, window table functions and joins.

#include "parser/sql_parser.h"

namespace sluice {

Result<SelectPtr> SqlParser::ParseSelect() {
  DepthScope scope(&depth_);
  RETURN_NOT_OK(Deeper());
  int64_t start = Peek().position;
  RETURN_NOT_OK(ExpectKeyword("select"));
  auto select = std::make_unique<SelectStatement>(start);
  select->begin = start;
  if (AcceptKeyword("distinct")) {
    select->distinct = true;
  } else {
    AcceptKeyword("all");
  }
  do {
    ASSIGN_OR_RETURN(SelectItem item, ParseSelectItem());
    select->items.push_back(std::move(item));
  } while (Accept(TokenKind::kComma));

  if (AcceptKeyword("from")) {
    ASSIGN_OR_RETURN(select->from, ParseFrom());
  }
  if (AcceptKeyword("where")) {
    ASSIGN_OR_RETURN(select->where, ParseExpr());
  }
  if (AcceptKeyword("group")) {
    RETURN_NOT_OK(ExpectKeyword("by"));
    do {
      ASSIGN_OR_RETURN(ExprPtr key, ParseExpr());
      select->group_by.push_back(std::move(key));
    } while (Accept(TokenKind::kComma));
  }
  if (AcceptKeyword("having")) {
    ASSIGN_OR_RETURN(select->having, ParseExpr());
  }
  if (PeekKeyword("emit")) {
    select->emit_position = Advance().position;
    if (AcceptKeyword("changes")) {
      select->emit = EmitMode::kChanges;
    } else if (AcceptKeyword("final")) {
      select->emit = EmitMode::kFinal;
    } else {
      return SyntaxError();
    }
  }
  if (AcceptKeyword("order")) {
    RETURN_NOT_OK(ExpectKeyword("by"));
    do {
      ASSIGN_OR_RETURN(OrderByItem item, ParseOrderByItem());
      select->order_by.push_back(std::move(item));
    } while (Accept(TokenKind::kComma));
  }
  if (PeekKeyword("limit")) {
    select->limit_position = Advance().position;
    ASSIGN_OR_RETURN(int64_t limit, ParseNonNegativeInteger("after LIMIT"));
    select->limit = limit;
  }
  select->end = EndOfPrevious();
  return select;
}

Result<SelectItem> SqlParser::ParseSelectItem() {
  SelectItem item;
  // `*` or `a.b.*`: look ahead over name-dot pairs for the star.
  size_t ahead = 0;
  while (Peek(ahead).is_identifier() && Peek(ahead + 1).kind == TokenKind::kDot) ahead += 2;
  if (Peek(ahead).kind == TokenKind::kStar) {
    auto star = std::make_unique<StarExpr>(Peek().position);
    for (size_t part = 0; part < ahead; part += 2) star->qualifier.push_back(Peek(part).text);
    index_ += ahead + 1;
    item.expr = std::move(star);
    return item;
  }
  ASSIGN_OR_RETURN(item.expr, ParseExpr());
  const Token& next = Peek();
  if (next.Is("as")) {
    Advance();
    if (!Peek().is_identifier()) return SyntaxError();
    item.alias_position = Peek().position;
    item.alias = Advance().text;
  } else if (next.kind == TokenKind::kQuotedIdentifier ||
             (next.kind == TokenKind::kIdentifier && !IsReservedKeyword(next.text))) {
    item.alias_position = next.position;
    item.alias = Advance().text;
  }
  return item;
}

Result<OrderByItem> SqlParser::ParseOrderByItem() {
  OrderByItem item;
  ASSIGN_OR_RETURN(item.expr, ParseExpr());
  if (AcceptKeyword("desc")) {
    item.descending = true;
  } else {
    AcceptKeyword("asc");
  }
  if (AcceptKeyword("nulls")) {
    if (AcceptKeyword("first")) {
      item.nulls = NullsOrder::kFirst;
    } else if (AcceptKeyword("last")) {
      item.nulls = NullsOrder::kLast;
    } else {
      return SyntaxError();
    }
  }
  return item;
}

Result<FromItemPtr> SqlParser::ParseFrom() {
  DepthScope scope(&depth_);
  ASSIGN_OR_RETURN(FromItemPtr left, ParseFromPrimary());
  while (true) {
    const Token& first = Peek();
    JoinKind kind = JoinKind::kInner;
    if (first.Is("join")) {
      kind = JoinKind::kInner;
    } else if (first.Is("inner") && PeekKeyword("join", 1)) {
      kind = JoinKind::kInner;
      Advance();
    } else if (first.Is("left") || first.Is("right") || first.Is("full")) {
      kind = first.Is("left") ? JoinKind::kLeft
                              : (first.Is("right") ? JoinKind::kRight : JoinKind::kFull);
      Advance();
      AcceptKeyword("outer");
      if (!PeekKeyword("join")) return SyntaxError();
    } else {
      break;
    }
    Advance();  // JOIN
    RETURN_NOT_OK(Deeper());
    auto join = std::make_unique<JoinRef>(left->position);
    join->join_kind = kind;
    join->join_position = first.position;
    join->left = std::move(left);
    ASSIGN_OR_RETURN(join->right, ParseFromPrimary());
    if (PeekKeyword("within")) {
      ASSIGN_OR_RETURN(JoinWithin within, ParseWithin());
      join->within = within;
    }
    RETURN_NOT_OK(ExpectKeyword("on"));
    ASSIGN_OR_RETURN(join->condition, ParseExpr());
    left = std::move(join);
  }
  return left;
}

Result<FromItemPtr> SqlParser::ParseFromPrimary() {
  DepthScope scope(&depth_);
  RETURN_NOT_OK(Deeper());
  if (Peek(1).kind == TokenKind::kLParen) {
    if (PeekKeyword("tumble")) return ParseWindow(WindowKind::kTumble);
    if (PeekKeyword("hop")) return ParseWindow(WindowKind::kHop);
    if (PeekKeyword("session")) return ParseWindow(WindowKind::kSession);
  }
  auto relation = std::make_unique<RelationRef>(Peek().position);
  ASSIGN_OR_RETURN(relation->name, ParseQualifiedName(3, "relation name"));
  RETURN_NOT_OK(ParseAlias(relation.get()));
  if (AcceptKeyword("with")) {
    ASSIGN_OR_RETURN(relation->properties, ParseProperties());
  }
  return FromItemPtr(std::move(relation));
}

Result<FromItemPtr> SqlParser::ParseWindow(WindowKind kind) {
  auto window = std::make_unique<WindowRef>(Advance().position);
  window->window_kind = kind;
  RETURN_NOT_OK(Expect(TokenKind::kLParen));
  ASSIGN_OR_RETURN(window->input, ParseFrom());
  RETURN_NOT_OK(Expect(TokenKind::kComma));
  if (kind == WindowKind::kSession) {
    RETURN_NOT_OK(ExpectKeyword("gap"));
    ASSIGN_OR_RETURN(window->gap, ParseDuration());
  } else {
    RETURN_NOT_OK(ExpectKeyword("size"));
    ASSIGN_OR_RETURN(window->size, ParseDuration());
    if (kind == WindowKind::kHop) {
      RETURN_NOT_OK(Expect(TokenKind::kComma));
      RETURN_NOT_OK(ExpectKeyword("advance"));
      RETURN_NOT_OK(ExpectKeyword("by"));
      ASSIGN_OR_RETURN(window->advance, ParseDuration());
    }
  }
  RETURN_NOT_OK(Expect(TokenKind::kRParen, "after window arguments"));
  RETURN_NOT_OK(ParseAlias(window.get()));
  return FromItemPtr(std::move(window));
}

Status SqlParser::ParseAlias(FromItem* item) {
  const Token& next = Peek();
  if (next.Is("as")) {
    Advance();
    ASSIGN_OR_RETURN(Identifier alias, ParseIdentifier("alias"));
    item->alias = std::move(alias.name);
    item->alias_position = alias.position;
  } else if (next.kind == TokenKind::kQuotedIdentifier ||
             (next.kind == TokenKind::kIdentifier && !IsReservedKeyword(next.text))) {
    item->alias = next.text;
    item->alias_position = next.position;
    Advance();
  }
  return Status::OK();
}

Result<JoinWithin> SqlParser::ParseWithin() {
  JoinWithin within;
  within.position = Advance().position;  // WITHIN
  if (Accept(TokenKind::kLParen)) {
    within.pair_syntax = true;
    ASSIGN_OR_RETURN(within.before, ParseDuration());
    RETURN_NOT_OK(Expect(TokenKind::kComma));
    ASSIGN_OR_RETURN(within.after, ParseDuration());
    RETURN_NOT_OK(Expect(TokenKind::kRParen, "after WITHIN bounds"));
  } else {
    ASSIGN_OR_RETURN(within.before, ParseDuration());
    within.after = within.before;
  }
  return within;
}

}  // namespace sluice
