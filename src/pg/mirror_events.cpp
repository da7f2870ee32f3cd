// promo.mirror_events(): the statement trigger promo.track_events() installs on an
// application table. Its arguments (TG_ARGV) hold the configuration:
//   [0] source (the table's name when tracking started)  [1] customer column
//   [2] constant event type or ''   [3] type column or ''   [4] time column or ''
//   [5] N, the number of properties columns   [6 .. 6+N) those columns   [6+N ..) key columns
// Inserted rows become events in one INSERT ... SELECT over the transition table; deleted
// rows' events are deleted in one DELETE ... USING (matched by customer, source and source_key);
// an update does both. Column names are quoted with quote_identifier and property keys with
// quote_literal; the source and the constant type travel as parameters.
#include "core/error.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/trigger_support.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
}

namespace {

// The parsed configuration; strings point into the trigger's arguments.
struct MirrorConfig {
  const char* source;
  const char* customer_column;
  const char* type;
  const char* type_column;
  const char* time_column;
  int property_count;
  char** properties;
  int key_count;
  char** keys;
};

// Reads TG_ARGV. C style.
MirrorConfig read_config(const Trigger* trigger) {
  if (trigger->tgnargs < 6) {
    ereport(ERROR,
            (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
             errmsg("promo.mirror_events() needs the arguments promo.track_events() gives")));
  }
  char** argv = trigger->tgargs;
  MirrorConfig config;
  config.source = argv[0];
  config.customer_column = argv[1];
  config.type = argv[2];
  config.type_column = argv[3];
  config.time_column = argv[4];
  config.property_count = pg_strtoint32(argv[5]);
  if (config.property_count < 0 || 6 + config.property_count > trigger->tgnargs) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("promo.mirror_events(): bad properties count \"%s\"", argv[5])));
  }
  config.properties = argv + 6;
  config.keys = argv + 6 + config.property_count;
  config.key_count = trigger->tgnargs - 6 - config.property_count;
  return config;
}

// Appends the source_key expression over alias `row`: the key column as text, a ROW(...) of
// several as text (the same text promo.track_events' backfill writes), or NULL.
void append_key(StringInfo sql, const MirrorConfig& config, const char* row) {
  if (config.key_count == 0) {
    appendStringInfoString(sql, "NULL::pg_catalog.text");
  } else if (config.key_count == 1) {
    appendStringInfo(sql, "%s.%s::pg_catalog.text", row, quote_identifier(config.keys[0]));
  } else {
    appendStringInfoString(sql, "ROW(");
    for (int i = 0; i < config.key_count; ++i) {
      appendStringInfo(sql, "%s%s.%s", i > 0 ? ", " : "", row, quote_identifier(config.keys[i]));
    }
    appendStringInfoString(sql, ")::pg_catalog.text");
  }
}

// INSERT INTO promo.events ... SELECT ... FROM <new rows> n. $1 = source, $2 = constant type.
char* insert_sql(const MirrorConfig& config, const char* new_table) {
  StringInfoData sql;
  initStringInfo(&sql);
  appendStringInfo(&sql,
                   "INSERT INTO promo.events (customer_id, type, occurred_at, properties, source,"
                   " source_key) SELECT n.%s::pg_catalog.text, ",
                   quote_identifier(config.customer_column));
  if (config.type_column[0] != '\0') {
    appendStringInfo(&sql, "n.%s::pg_catalog.text, ", quote_identifier(config.type_column));
  } else {
    appendStringInfoString(&sql, "$2, ");
  }
  if (config.time_column[0] != '\0') {
    appendStringInfo(&sql, "n.%s::pg_catalog.timestamptz, ", quote_identifier(config.time_column));
  } else {
    appendStringInfoString(&sql, "pg_catalog.now(), ");
  }
  if (config.property_count > 0) {
    appendStringInfoString(&sql, "pg_catalog.jsonb_build_object(");
    for (int i = 0; i < config.property_count; ++i) {
      appendStringInfo(&sql, "%s%s::pg_catalog.text, n.%s", i > 0 ? ", " : "",
                       quote_literal_cstr(config.properties[i]),
                       quote_identifier(config.properties[i]));
    }
    appendStringInfoString(&sql, "), ");
  } else {
    appendStringInfoString(&sql, "'{}'::pg_catalog.jsonb, ");
  }
  appendStringInfoString(&sql, "$1, ");
  append_key(&sql, config, "n");
  appendStringInfo(&sql, " FROM %s n", quote_identifier(new_table));
  return sql.data;
}

// DELETE FROM promo.events e USING <old rows> o WHERE <same customer, source, key>.
char* delete_sql(const MirrorConfig& config, const char* old_table) {
  StringInfoData sql;
  initStringInfo(&sql);
  appendStringInfo(&sql,
                   "DELETE FROM promo.events e USING %s o"
                   " WHERE e.customer_id OPERATOR(pg_catalog.=) o.%s::pg_catalog.text"
                   "   AND e.source OPERATOR(pg_catalog.=) $1"
                   "   AND e.source_key OPERATOR(pg_catalog.=) ",
                   quote_identifier(old_table), quote_identifier(config.customer_column));
  append_key(&sql, config, "o");
  return sql.data;
}

// Runs one statement with $1 = source, $2 = constant type (or NULL); both types are fixed, so
// a statement may leave $2 unused.
void run(const char* sql, const MirrorConfig& config, int expected) {
  Oid types[2] = {TEXTOID, TEXTOID};
  Datum values[2] = {CStringGetTextDatum(config.source),
                     config.type[0] != '\0' ? CStringGetTextDatum(config.type) : (Datum)0};
  char nulls[3] = {' ', config.type[0] != '\0' ? ' ' : 'n', '\0'};
  int status = SPI_execute_with_args(sql, 2, types, values, nulls, false, 0);
  if (status != expected) {
    elog(ERROR, "promo: mirroring into promo.events failed: %s", SPI_result_code_string(status));
  }
}

// The whole trigger body, C style (runs under pg_guard).
void mirror(TriggerData* trigger) {
  MirrorConfig config = read_config(trigger->tg_trigger);
  const char* old_table = trigger->tg_trigger->tgoldtable;
  const char* new_table = trigger->tg_trigger->tgnewtable;
  if (old_table != nullptr && config.key_count > 0) {
    run(delete_sql(config, old_table), config, SPI_OK_DELETE);
  }
  if (new_table != nullptr) run(insert_sql(config, new_table), config, SPI_OK_INSERT);
}

}  // namespace

PROMO_PG_FUNCTION(promo_mirror_events)

// AFTER INSERT / UPDATE / DELETE FOR EACH STATEMENT on a tracked table.
Datum promo_mirror_events(PG_FUNCTION_ARGS) {
  TriggerData* trigger = promo::pg::expect_statement_trigger(fcinfo, "promo.mirror_events()");
  promo::pg::connect_spi_with_transition_tables(trigger);
  promo::pg::call_cpp([trigger] {
    promo::pg::pg_guard([trigger] { mirror(trigger); });
    return PointerGetDatum(nullptr);
  });
  SPI_finish();
  return PointerGetDatum(nullptr);
}
