// Direct row inserts (see direct_insert.hpp). C style throughout: every function here may
// ereport(ERROR) and owns no C++ object.
#include "pg/postgres_headers.hpp"

#include "pg/direct_insert.hpp"

extern "C" {
#include "access/table.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/readfuncs.h"
#include "utils/memutils.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
}

namespace promo::pg {

namespace {

constexpr int kMaxTables = 4;
constexpr int kMaxColumns = 16;

// One open table: its result relation, a slot in the table's row type, and where each given
// column goes in it.
struct OpenTable {
  ResultRelInfo* result;
  TupleTableSlot* slot;
  int column_count;
  AttrNumber attribute[kMaxColumns];
};

// The attribute number of each expected column, or false when the table has others (a column
// with a default this code would not fill) or the names or types differ.
bool map_columns(Relation table, const DirectTable& spec, AttrNumber* attribute) {
  TupleDesc descriptor = RelationGetDescr(table);
  int next = 0;
  for (int i = 0; i < descriptor->natts; ++i) {
    Form_pg_attribute column = TupleDescAttr(descriptor, i);
    if (column->attisdropped) continue;
    if (next >= spec.column_count || column->atttypid != spec.types[next] ||
        strcmp(NameStr(column->attname), spec.columns[next]) != 0) {
      return false;
    }
    attribute[next++] = column->attnum;
  }
  return next == spec.column_count;
}

// The parsed CHECK expressions of the tables inserted into, kept for the session. The executor
// parses a table's CHECK constraints from their stored text for every statement, most of the
// cost of checking them on a small insert; these are compared with the relation's current text
// on every use, so a changed constraint is parsed again. They are still planned per use, as
// the executor does, so a replaced SQL function they call is inlined afresh.
struct ParsedCheck {
  Oid relid;
  char* source;  // ccbin the expression was parsed from
  Expr* parsed;
};
MemoryContext parsed_checks_context = nullptr;
ParsedCheck* parsed_checks = nullptr;
int parsed_check_count = 0;
int parsed_check_capacity = 0;

// The parsed expression of `source`, a CHECK constraint of `relid`.
Expr* parsed_check(Oid relid, const char* source) {
  for (int i = 0; i < parsed_check_count; ++i) {
    if (parsed_checks[i].relid == relid && strcmp(parsed_checks[i].source, source) == 0) {
      return parsed_checks[i].parsed;
    }
  }
  if (parsed_checks_context == nullptr) {
    parsed_checks_context =
        AllocSetContextCreate(CacheMemoryContext, "promo parsed checks", ALLOCSET_SMALL_SIZES);
  }
  constexpr int kMaxParsedChecks = 64;
  if (parsed_check_count == kMaxParsedChecks) {
    // Constraints changed over and over: start again rather than grow.
    MemoryContextReset(parsed_checks_context);
    parsed_checks = nullptr;
    parsed_check_count = 0;
    parsed_check_capacity = 0;
  }
  MemoryContext caller = MemoryContextSwitchTo(parsed_checks_context);
  if (parsed_check_count == parsed_check_capacity) {
    parsed_check_capacity = parsed_check_capacity == 0 ? 8 : 2 * parsed_check_capacity;
    parsed_checks = static_cast<ParsedCheck*>(
        parsed_checks == nullptr
            ? palloc(parsed_check_capacity * sizeof(ParsedCheck))
            : repalloc(parsed_checks, parsed_check_capacity * sizeof(ParsedCheck)));
  }
  ParsedCheck entry{relid, pstrdup(source), static_cast<Expr*>(stringToNode(source))};
  MemoryContextSwitchTo(caller);
  parsed_checks[parsed_check_count++] = entry;
  return entry.parsed;
}

// Gives the result relation its CHECK expressions from the parsed ones, as ExecConstraints
// would build them (in the current memory context: the executor state's), in the relation's
// constraint order.
void prepare_checks(ResultRelInfo* result, EState* estate) {
  TupleConstr* constraints = RelationGetDescr(result->ri_RelationDesc)->constr;
  if (constraints == nullptr || constraints->num_check == 0) return;
  Oid relid = RelationGetRelid(result->ri_RelationDesc);
  auto* expressions = static_cast<ExprState**>(palloc(constraints->num_check * sizeof(ExprState*)));
  for (int i = 0; i < constraints->num_check; ++i) {
    expressions[i] = ExecPrepareExpr(parsed_check(relid, constraints->check[i].ccbin), estate);
  }
  result->ri_ConstraintExprs = expressions;
}

}  // namespace

struct DirectInserts {
  EState* estate;
  int count;
  OpenTable tables[kMaxTables];
};

namespace {

// Opens promo.<spec.name> when its rows may be inserted directly, with `attribute` filled;
// nullptr otherwise.
Relation open_direct_table(const DirectTable& spec, AttrNumber* attribute) {
  if (spec.column_count > kMaxColumns) return nullptr;
  Oid relid = get_relname_relid(spec.name, get_namespace_oid("promo", false));
  if (!OidIsValid(relid)) return nullptr;
  if (pg_class_aclcheck(relid, GetUserId(), ACL_INSERT) != ACLCHECK_OK) return nullptr;
  if (check_enable_rls(relid, InvalidOid, true) != RLS_NONE) return nullptr;
  Relation table = table_open(relid, RowExclusiveLock);
  TriggerDesc* triggers = table->trigdesc;
  bool allowed = table->rd_rel->relkind == RELKIND_RELATION && !table->rd_rel->relispartition &&
                 table->rd_rules == nullptr &&
                 (triggers == nullptr ||
                  (!triggers->trig_insert_before_statement &&
                   !triggers->trig_insert_after_statement && !triggers->trig_insert_new_table)) &&
                 map_columns(table, spec, attribute);
  if (allowed) return table;
  table_close(table, NoLock);
  return nullptr;
}

}  // namespace

DirectInserts* begin_direct_inserts(const DirectTable* specs, int count) {
  if (count > kMaxTables) elog(ERROR, "promo: too many tables for direct inserts");
  Relation relations[kMaxTables];
  AttrNumber attributes[kMaxTables][kMaxColumns];
  for (int t = 0; t < count; ++t) {
    relations[t] = open_direct_table(specs[t], attributes[t]);
    if (relations[t] == nullptr) {
      for (int opened = 0; opened < t; ++opened) table_close(relations[opened], NoLock);
      return nullptr;
    }
  }
  EState* estate = CreateExecutorState();
  MemoryContext caller = MemoryContextSwitchTo(estate->es_query_cxt);
  auto* inserts = static_cast<DirectInserts*>(palloc0(sizeof(DirectInserts)));
  inserts->estate = estate;
  inserts->count = count;
  // One range-table entry per table, as the planner would make for INSERT INTO it: constraint
  // errors describe the row from the columns the entry says were inserted.
  List* range_table = NIL;
  for (int t = 0; t < count; ++t) {
    memcpy(inserts->tables[t].attribute, attributes[t], sizeof(attributes[t]));
    RangeTblEntry* entry = makeNode(RangeTblEntry);
    entry->rtekind = RTE_RELATION;
    entry->relid = RelationGetRelid(relations[t]);
    entry->relkind = relations[t]->rd_rel->relkind;
    entry->rellockmode = RowExclusiveLock;
    entry->requiredPerms = ACL_INSERT;
    for (int c = 0; c < specs[t].column_count; ++c) {
      entry->insertedCols =
          bms_add_member(entry->insertedCols,
                         inserts->tables[t].attribute[c] - FirstLowInvalidHeapAttributeNumber);
    }
    range_table = lappend(range_table, entry);
  }
  ExecInitRangeTable(estate, range_table);
  estate->es_output_cid = GetCurrentCommandId(true);
  for (int t = 0; t < count; ++t) {
    OpenTable& open = inserts->tables[t];
    open.result = makeNode(ResultRelInfo);
    InitResultRelInfo(open.result, relations[t], static_cast<Index>(t + 1), nullptr, 0);
    ExecOpenIndices(open.result, false);
    prepare_checks(open.result, estate);
    // Listed as opened, so the AFTER trigger events find it (instead of opening the table once
    // more) and ExecCloseResultRelations closes its indexes.
    estate->es_opened_result_relations = lappend(estate->es_opened_result_relations, open.result);
    open.slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(relations[t]), &TTSOpsVirtual);
    open.column_count = specs[t].column_count;
  }
  // AFTER ROW triggers (a user's, or a foreign key's check) queue their events for this level.
  AfterTriggerBeginQuery();
  MemoryContextSwitchTo(caller);
  return inserts;
}

void insert_direct_row(DirectInserts* inserts, int table, const Datum* values, const bool* nulls) {
  OpenTable& open = inserts->tables[table];
  TupleTableSlot* slot = open.slot;
  ExecClearTuple(slot);
  int attribute_count = slot->tts_tupleDescriptor->natts;
  for (int i = 0; i < attribute_count; ++i) {
    slot->tts_values[i] = PointerGetDatum(nullptr);
    slot->tts_isnull[i] = true;
  }
  for (int c = 0; c < open.column_count; ++c) {
    slot->tts_values[open.attribute[c] - 1] = values[c];
    slot->tts_isnull[open.attribute[c] - 1] = nulls[c];
  }
  ExecStoreVirtualTuple(slot);
  MemoryContext caller = MemoryContextSwitchTo(GetPerTupleMemoryContext(inserts->estate));
  ExecSimpleRelationInsert(open.result, inserts->estate, slot);
  MemoryContextSwitchTo(caller);
  ResetPerTupleExprContext(inserts->estate);
}

void end_direct_inserts(DirectInserts* inserts) {
  EState* estate = inserts->estate;
  AfterTriggerEndQuery(estate);
  // Closes the indexes and whatever the triggers opened.
  ExecCloseResultRelations(estate);
  for (int t = 0; t < inserts->count; ++t) {
    table_close(inserts->tables[t].result->ri_RelationDesc, NoLock);
  }
  ExecResetTupleTable(estate->es_tupleTable, false);
  FreeExecutorState(estate);
}

}  // namespace promo::pg
