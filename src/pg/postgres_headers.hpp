// The one place the adapter includes PostgreSQL's C headers. Every adapter file includes the
// engine headers it needs and the C++ standard headers FIRST, then this file: port.h turns
// printf/snprintf & co. into macros that break standard headers included after it, and the
// engine's headers refuse to be compiled once postgres.h has been seen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

// PostgreSQL 15 leaves PGDLLEXPORT empty on Linux; we build with -fvisibility=hidden, so the
// symbols the server looks up (Pg_magic_func, pg_finfo_*, entry points) must be made visible.
#ifndef PGDLLEXPORT
#define PGDLLEXPORT __attribute__((visibility("default")))
#endif

extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/elog.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

// Declares an SQL-callable entry point: visible, C linkage, version-1 calling convention.
// Use at namespace scope, followed by the definition `Datum name(PG_FUNCTION_ARGS) { ... }`
// inside an `extern "C"` block.
#define PROMO_PG_FUNCTION(name)                        \
  extern "C" PGDLLEXPORT Datum name(PG_FUNCTION_ARGS); \
  extern "C" {                                         \
  PG_FUNCTION_INFO_V1(name);                           \
  }
