// The public entry point of libemf. A program that links SQLite and the emf
// core registers emf on every connection it opens with
//
//   sqlite3_auto_extension(reinterpret_cast<void (*)()>(sqlite3_emf_init));
//
// and SQLite itself finds it in libemf.so by name (`.load libemf`).
#pragma once

#include "sqlite_api.h"

#if defined(_WIN32)
#define EMF_EXPORT __declspec(dllexport)
#else
#define EMF_EXPORT __attribute__((visibility("default")))
#endif

extern "C" EMF_EXPORT int sqlite3_emf_init(sqlite3* db, char** error,
                                           const sqlite3_api_routines* api);
