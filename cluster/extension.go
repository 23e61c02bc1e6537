package main

// libemf is registered with sqlite3_auto_extension from main, after
// go-dqlite's package initialisation has put SQLite in single-thread mode:
// registering earlier (from a preloaded library's constructor, say) makes
// that initialisation fail.

/*
#cgo LDFLAGS: -lsqlite3 -ldl
#include <dlfcn.h>
#include <sqlite3.h>
#include <stdlib.h>

static const char* emf_register(const char* path) {
	void* library = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (library == NULL) return dlerror();
	void* entry = dlsym(library, "sqlite3_emf_init");
	if (entry == NULL) return dlerror();
	if (sqlite3_auto_extension((void (*)(void))entry) != SQLITE_OK) {
		return "sqlite3_auto_extension failed";
	}
	return NULL;
}
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"unsafe"
)

// defaultExtension is the libemf.so of the build, set by the build with
// -ldflags "-X main.defaultExtension=PATH".
var defaultExtension = ""

// extensionPath is --extension when given; else libemf.so beside this
// program; else the one of the build.
func extensionPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if self, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(self), "libemf.so")
		if _, err := os.Stat(beside); err == nil {
			return beside
		}
	}
	return defaultExtension
}

// registerExtension makes every SQLite connection this process opens load
// libemf, as `.load libemf` would.
func registerExtension(path string) error {
	if path == "" {
		return fmt.Errorf("no libemf.so: give --extension PATH")
	}
	cPath := C.CString(path)
	defer C.free(unsafe.Pointer(cPath))
	if failure := C.emf_register(cPath); failure != nil {
		return fmt.Errorf("cannot load %s: %s", path, C.GoString(failure))
	}
	return nil
}
