#pragma once
// The recursive-descent parser over a token vector (internal to the parser module; callers use
// parser/parser.h). One object parses one text; its methods are split by concern across
// parse_*.cc files. Nesting is bounded so hostile input cannot overflow the stack here or in the
// recursive passes (destructors, ToSql, the binder) that later walk the tree.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/ast.h"
#include "parser/lexer.h"

namespace sluice {

class SqlParser {
 public:
  explicit SqlParser(std::string_view text);

  Result<std::vector<StatementPtr>> ParseScript();
  Result<StatementPtr> ParseSingle();
  Result<ExprPtr> ParseStandaloneExpression();

 private:
  // Restores the depth counter when a parsing function returns.
  class DepthScope {
   public:
    explicit DepthScope(int* depth) : depth_(depth), saved_(*depth) {}
    ~DepthScope() { *depth_ = saved_; }

   private:
    int* depth_;
    int saved_;
  };

  // --- tokens and errors (parser.cc)
  const Token& Peek(size_t ahead = 0) const;
  const Token& Advance();
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }
  bool PeekKeyword(std::string_view keyword, size_t ahead = 0) const {
    return Peek(ahead).Is(keyword);
  }
  bool AcceptKeyword(std::string_view keyword);
  bool Accept(TokenKind kind);
  // Consumes `keyword` or fails with a syntax error at the current token.
  Status ExpectKeyword(std::string_view keyword);
  // Consumes a token of `kind` or fails: `expected ")" after column list, found ","`. An empty
  // `context` gives a plain syntax error instead.
  Status Expect(TokenKind kind, std::string_view context = {});
  Status SyntaxError() const;  // at the current token
  Status ErrorAt(const Token& token, std::string message) const;
  // `"FROM"` (the source text) or `end of input`.
  std::string Describe(const Token& token) const;
  // Counts one more level of nesting; fails when the tree would get too deep.
  Status Deeper(int levels = 1);
  int64_t EndOfPrevious() const;  // end offset of the last consumed token

  // --- shared pieces (parser.cc)
  Result<StatementPtr> ParseOneStatement();
  Result<Identifier> ParseIdentifier(std::string_view what);
  // Up to `max_parts` dotted identifiers.
  Result<QualifiedName> ParseQualifiedName(size_t max_parts, std::string_view what);
  Result<PropertyList> ParseProperties();  // after WITH: ( 'k' = v, ... )
  Result<int64_t> ParseNonNegativeInteger(std::string_view what);
  Result<Duration> ParseDuration();  // n unit
  // The unit after a count that has been read already.
  Result<Duration> ParseDurationUnit(int64_t count, int64_t position);
  Result<Identifier> ParseQueryId();
  bool ParseIfNotExists();
  bool ParseIfExists();

  // --- statements (parse_ddl.cc, parse_dml.cc)
  Result<StatementPtr> ParseCreate();
  Result<StatementPtr> ParseCreateRelation(int64_t start, RelationKind kind);
  Result<StatementPtr> ParseDrop();
  Result<StatementPtr> ParseShow();
  Result<StatementPtr> ParseDescribe();
  Result<StatementPtr> ParseExplain();  // parse_dml.cc
  Result<StatementPtr> ParseUse();
  Result<StatementPtr> ParseAlter();
  Result<StatementPtr> ParseInsert();
  Result<StatementPtr> ParseQueryCommand();  // TERMINATE / RESTART QUERY
  Result<StatementPtr> ParsePrint();
  Result<ColumnDef> ParseColumnDef();

  // --- governance (parse_governance.cc); `start` is the first keyword's position
  Result<StatementPtr> ParseCreateRole(int64_t start);
  Result<StatementPtr> ParseCreateUser(int64_t start);
  Result<StatementPtr> ParseDropRole(int64_t start, bool is_user);
  Result<StatementPtr> ParseGrantOrRevoke();
  Result<StatementPtr> ParseUseRole(int64_t start);
  Result<StatementPtr> ParseShowGovernance(int64_t start);  // after SHOW
  Result<StatementPtr> ParseAlterUser(int64_t start);       // after ALTER USER
  Result<StatementPtr> ParseCanI();
  // The object of GRANT/REVOKE, CAN I and SHOW GRANTS ON: its rbac kind name and its name.
  Status ParseGrantObject(std::string* kind, int64_t* position, QualifiedName* name);

  // --- SELECT (parse_select.cc)
  Result<SelectPtr> ParseSelect();
  Result<SelectItem> ParseSelectItem();
  Result<FromItemPtr> ParseFrom();
  Result<FromItemPtr> ParseFromPrimary();
  Result<FromItemPtr> ParseWindow(WindowKind kind);
  Status ParseAlias(FromItem* item);
  Result<JoinWithin> ParseWithin();
  Result<OrderByItem> ParseOrderByItem();

  // --- expressions (parse_expression.cc)
  Result<ExprPtr> ParseExpr();
  Result<ExprPtr> ParseOr();
  Result<ExprPtr> ParseAnd();
  Result<ExprPtr> ParseNot();
  Result<ExprPtr> ParseComparison();
  Result<ExprPtr> ParsePredicateTail(ExprPtr left, bool* matched);
  Result<ExprPtr> ParseConcat();
  Result<ExprPtr> ParseAdditive();
  Result<ExprPtr> ParseMultiplicative();
  Result<ExprPtr> ParseUnary();
  Result<ExprPtr> ParsePostfix();
  Result<ExprPtr> ParsePrimary();
  Result<ExprPtr> ParseNameOrCall();
  Result<ExprPtr> ParseFunctionArgs(std::string name, int64_t position);
  Result<ExprPtr> ParseCase();
  Result<ExprPtr> ParseCast();
  Result<ExprPtr> ParseExtract();
  Result<ExprPtr> ParseInterval();
  Result<ExprList> ParseExprList(std::string_view context);  // e1, e2, ... )

  // --- types (parse_type.cc)
  Result<TypeName> ParseType();
  Result<DataType> ParseTypeBody();

  std::string_view text_;
  TokenizedText lexed_;
  size_t index_ = 0;
  int depth_ = 0;
};

}  // namespace sluice
