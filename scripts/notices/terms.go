package main

import (
	"os"
	"path/filepath"
	"regexp"
)

// termsNote says, for a module whose licence files alone leave it open,
// under which terms modelrouter uses it, or what it carries that no file
// of its names; "" for any other module. dir is the module's folder.
func termsNote(path, dir string) string {
	switch path {
	case "github.com/golang/freetype":
		// Its LICENSE offers the FreeType License or the GPL, one of the
		// two. The FTL asks a program that uses the code in binary form to
		// say so in its documentation ("credits"); the wording is the one
		// ftl.txt suggests, the years those freetype-go's README gives
		// for the FreeType it derives from.
		return "modelrouter uses this module (its raster package, which gonum.org/v1/plot's image output links\n" +
			"through git.sr.ht/~sbinet/gg, for the chart `modelrouter simulate` draws) under the FreeType License\n" +
			"(FTL, licenses/ftl.txt below), not the GPL, which its LICENSE offers instead. bin/modelrouter is\n" +
			"based in part on the work of the FreeType Team:\n\n" +
			"    Portions of this software are copyright \u00a9 1996-2010 The FreeType\n" +
			"    Project (www.freetype.org).  All rights reserved.\n"
	case "github.com/mattn/go-sqlite3":
		return "This module compiles in SQLite" + sqliteVersion(dir) + " (sqlite3-binding.c, its amalgamation), which is in the\n" +
			"public domain: no licence applies to SQLite. The MIT licence below is go-sqlite3's own.\n"
	}
	return ""
}

var sqliteVersionDefine = regexp.MustCompile(`(?m)^#define SQLITE_VERSION\s+"([0-9.]+)"`)

// sqliteVersion is " <version>" of the SQLite go-sqlite3 carries in dir,
// or "" where its header does not say.
func sqliteVersion(dir string) string {
	h, err := os.ReadFile(filepath.Join(dir, "sqlite3-binding.h"))
	if err != nil {
		return ""
	}
	if m := sqliteVersionDefine.FindSubmatch(h); m != nil {
		return " " + string(m[1])
	}
	return ""
}
