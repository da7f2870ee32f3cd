// Included first by every engine header: the engine (src/core) is plain C++ and must never see
// PostgreSQL's headers, so it can be unit-tested, fuzzed and benchmarked on its own.
#pragma once
#ifdef POSTGRES_H
#error "src/core must not be compiled together with PostgreSQL headers"
#endif
