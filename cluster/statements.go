package main

/*
#include <sqlite3.h>
#include <stdlib.h>
*/
import "C"

import (
	"strings"
	"unsafe"
)

// complete reports whether text ends with a complete SQL statement, as
// SQLite's own tokenizer sees it (sqlite3_complete: semicolons inside
// strings, identifiers, comments and triggers do not count).
func complete(text string) bool {
	cText := C.CString(text)
	defer C.free(unsafe.Pointer(cText))
	return C.sqlite3_complete(cText) != 0
}

// singleStatement is false when `statement` holds more than one SQL
// statement: dqlite's query request runs only the first, so anything after
// it would be silently skipped.
func singleStatement(statement string) bool {
	for at := strings.IndexByte(statement, ';'); at >= 0; {
		if complete(statement[:at+1]) {
			// Only blanks and comments may follow the first statement.
			return strings.TrimSpace(stripComments(statement[at+1:])) == ""
		}
		next := strings.IndexByte(statement[at+1:], ';')
		if next < 0 {
			break
		}
		at += next + 1
	}
	return true
}

// stripComments removes -- and /* */ comments. It does not know string
// literals: a text after a statement that has any is never left empty, so
// such a text counts as a second statement, as it should.
func stripComments(text string) string {
	var out strings.Builder
	for i := 0; i < len(text); {
		switch {
		case strings.HasPrefix(text[i:], "--"):
			end := strings.IndexByte(text[i:], '\n')
			if end < 0 {
				return out.String()
			}
			i += end
		case strings.HasPrefix(text[i:], "/*"):
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				return out.String()
			}
			i += end + 4
		default:
			out.WriteByte(text[i])
			i++
		}
	}
	return out.String()
}
