# PGXS build of the promo extension: promo.so from the adapter (src/pg) and the engine
# (src/core), the install script, and the pg_regress + isolation tests.
#   make && make install && make installcheck
# CMake (CMakeLists.txt) builds the engine alone for unit tests, fuzzers and benchmarks.

EXTENSION = promo
MODULE_big = promo
DATA = sql/promo--0.1.sql sql/promo--0.1--0.2.sql

PROMO_SOURCES = $(sort $(wildcard src/pg/*.cpp) $(wildcard src/core/*.cpp))
OBJS = $(PROMO_SOURCES:.cpp=.o)

# pg_regress: sql/NAME.sql -> expected/NAME.out (install scripts are not tests).
REGRESS = contract tactics cart_edge_cases rounding stacking time_window bad_input \
          definitions format_condition cache cancel segments
REGRESS += segments_history segments_time segments_maintenance segments_tactics segments_views
REGRESS += redeem
REGRESS += redemption_t1 redemption_t4 redemption_idempotency redemption_rollback \
           redemption_budget redemption_codes redemption_views redemption_direct_writes
REGRESS += roles
REGRESS += qualifications
REGRESS += automation
# Last: the six-tactic demo script, every number it prints checked.
REGRESS += demo
REGRESS_OPTS = --inputdir=.

# Isolation: test/isolation/specs/NAME.spec -> test/isolation/expected/NAME.out.
ISOLATION = definition_change
ISOLATION += segments_concurrent_events segments_repeatable_read segments_definition_race \
             segments_two_definitions
ISOLATION += redeem_same_customer redeem_same_order redeem_total_limit redeem_vs_rollback \
             redeem_limit_change \
             redeem_vs_promotion_change
ISOLATION += run_due_concurrent run_due_outbox_claim track_concurrent_write
# Bulk writes that read the history in passes over promo.events (src/pg/history_scan.hpp).
ISOLATION += segments_bulk_history segments_bulk_passes
ISOLATION_OPTS = --inputdir=test/isolation

PG_CONFIG ?= pg_config
# Server headers as system headers, so -Wall -Wextra -Werror judge only our code.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) -Isrc
PG_CXXFLAGS = -std=c++20 -Wall -Wextra -Werror -fvisibility=hidden -fvisibility-inlines-hidden
# GCC 12 reports false -Wrestrict positives inside libstdc++ strings (GCC bugs 105329, 105651).
ifeq ($(shell $(CXX) -dumpversion | cut -d. -f1),12)
PG_CXXFLAGS += -Wno-restrict
endif
SHLIB_LINK += -lstdc++

# Debian's server is built with LLVM; without this PGXS also compiles every .cpp to JIT bitcode
# with clang and without our flags. A plain assignment is overridden by PGXS itself.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Objects depend on every header, so an interface change rebuilds what uses it.
$(OBJS): $(wildcard src/core/*.hpp src/core/*.inl src/pg/*.hpp)
