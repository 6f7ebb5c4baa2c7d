package main

// README "Installing on a server": the THIRD_PARTY_NOTICES that `make dist`
// packs carries a licence for every module bin/modelrouter links. These
// tests build nothing: go list of cmd/modelrouter is what the build links.

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	routerPkg       = "github.com/modelrouter/modelrouter/cmd/modelrouter"
	shippedORTFile  = "../../third_party/onnxruntime/LICENSE"
	goListModuleFmt = "{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{with .Replace}} => {{.Path}} {{.Version}}{{end}}{{end}}{{end}}"
)

// sections splits the notices into their titles and texts.
func sections(t *testing.T, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	parts := strings.Split(text, "\n"+sectionRule+"\n")
	for _, p := range parts[1:] {
		title, body, _ := strings.Cut(p, "\n")
		require.NotContains(t, out, title, "a section twice")
		out[title] = body
	}
	return out
}

// The list compared against is go list's own, by a template rather than
// the generator's JSON, so the two do not share a mistake.
func TestNoticesNameEveryModuleTheBinaryLinksWithItsLicence(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", goListModuleFmt, routerPkg).Output()
	require.NoError(t, err)
	want := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			want[strings.TrimSuffix(line, " ")] = true
		}
	}
	require.Contains(t, want, "github.com/gin-gonic/gin "+moduleVersion(t, "github.com/gin-gonic/gin"), "go list sees gin, as the binary links it")

	text, err := notices(options{Pkg: routerPkg, ORTLicence: shippedORTFile, ORTVersion: "1.24.1"})
	require.NoError(t, err, "every linked module must have a licence file")
	got := sections(t, text)

	var missing []string
	for m := range want {
		body, ok := got[m]
		if !ok {
			missing = append(missing, m)
			continue
		}
		assert.Contains(t, body, fileRule+"\nLICENSE", "%s: its LICENSE file's text", m)
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "linked modules the notices do not name")

	var extra []string
	for title := range got {
		if !want[title] && !strings.HasPrefix(title, "Go standard library go1.") && title != "ONNX Runtime 1.24.1 (lib/libonnxruntime.so)" {
			extra = append(extra, title)
		}
	}
	assert.Empty(t, extra, "sections for nothing the binary links")

	goLicence := got[pickPrefix(got, "Go standard library ")]
	assert.Contains(t, goLicence, "Copyright 2009 The Go Authors.")
	ort, err := os.ReadFile(shippedORTFile)
	require.NoError(t, err)
	assert.Contains(t, got["ONNX Runtime 1.24.1 (lib/libonnxruntime.so)"], strings.TrimSpace(string(ort)), "ONNX Runtime's licence as lib/ ships it")
	// freetype's LICENSE only points at the two it offers; both texts go too.
	freetype := got[pickPrefix(got, "github.com/golang/freetype ")]
	assert.Contains(t, freetype, "licenses/ftl.txt:\n\n                    The FreeType Project LICENSE")
	assert.Contains(t, freetype, "licenses/gpl.txt:")
	assert.True(t, utf8.ValidString(text), "one encoding: UTF-8")
	assert.True(t, strings.Contains(freetype, "Portions of this software are copyright \u00a9 <year> The FreeType"), "ftl.txt's Latin-1 sign read as such")
	// Of the two, the FTL applies, and its credit is given before the texts.
	terms, _, _ := strings.Cut(freetype, fileRule)
	assert.Contains(t, terms, "under the FreeType License\n(FTL, licenses/ftl.txt below), not the GPL")
	assert.Contains(t, terms, "Portions of this software are copyright \u00a9 1996-2010 The FreeType\n    Project (www.freetype.org).  All rights reserved.")
	// go-sqlite3's MIT text is its own; the SQLite it compiles in is public domain.
	sqlite := got[pickPrefix(got, "github.com/mattn/go-sqlite3 ")]
	terms, _, _ = strings.Cut(sqlite, fileRule)
	assert.Regexp(t, `compiles in SQLite 3\.[0-9.]+ \(sqlite3-binding\.c, its amalgamation\), which is in the\npublic domain`, terms)
	assert.Contains(t, sqlite, "The MIT License")

	again, err := notices(options{Pkg: routerPkg, ORTLicence: shippedORTFile, ORTVersion: "1.24.1"})
	require.NoError(t, err)
	assert.Equal(t, text, again, "the same inputs give the same bytes")
}

func moduleVersion(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", path).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

func pickPrefix(m map[string]string, prefix string) string {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			return k
		}
	}
	return prefix + "(none)"
}

func TestAModuleWithoutALicenceStopsTheNoticesNamingIt(t *testing.T) {
	root := t.TempDir()
	dir := func(name string, files map[string]string) string {
		d := filepath.Join(root, name)
		for f, text := range files {
			require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(d, f)), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(d, f), []byte(text), 0o644))
		}
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	licensed := module{Path: "example.com/licensed", Version: "v1.0.0", Dir: dir("licensed", map[string]string{"License.md": "MIT"})}
	// A patent grant alone is no licence.
	bare := module{Path: "example.com/bare", Version: "v0.1.0", Dir: dir("bare", map[string]string{"README.md": "no licence", "PATENTS": "grant", "go.mod": "module example.com/bare"})}
	// A replaced module is licensed by what replaces it, which is what links.
	replaced := module{Path: "example.com/replaced", Version: "v2.0.0", Dir: dir("replaced-orig", map[string]string{"LICENSE": "orig"}),
		Replace: &module{Path: "example.com/fork", Version: "v2.0.1", Dir: dir("fork", nil)}}
	uncached := module{Path: "example.com/uncached", Version: "v1.2.3"}

	_, err := moduleNotices([]module{licensed, bare, replaced, uncached})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no licence found for 3 linked module(s)")
	assert.Contains(t, err.Error(), "example.com/bare v0.1.0 (no LICENSE*, LICENCE*, COPYING* or NOTICE* in "+bare.Dir+")")
	assert.Contains(t, err.Error(), "example.com/replaced v2.0.0 => example.com/fork v2.0.1 (no LICENSE*")
	assert.Contains(t, err.Error(), "example.com/uncached v1.2.3 (not in the module cache: go mod download example.com/uncached)")
	assert.NotContains(t, err.Error(), "example.com/licensed")

	got, err := moduleNotices([]module{licensed})
	require.NoError(t, err)
	assert.Equal(t, []noticed{{Title: "example.com/licensed v1.0.0", Licences: []licenceFile{{Name: "License.md", Text: "MIT"}}}}, got)
}

func TestLicenceFilesAreTheRootsLicenceNoticeAndCopyingFilesSorted(t *testing.T) {
	d := t.TempDir()
	for f, text := range map[string]string{
		"NOTICE": "n", "LICENSE-APACHE": "a", "LICENCE.txt": "c", "copying": "g", "README.md": "r",
		"licenses/ftl.txt": "ftl", "sub/LICENSE": "not at the root", "LICENSE": "l", "PATENTS": "p",
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(d, f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(d, f), []byte(text), 0o644))
	}
	files, err := licenceFiles(d)
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"LICENCE.txt", "LICENSE", "LICENSE-APACHE", "NOTICE", "PATENTS", "copying", "licenses/ftl.txt"}, names)
}

// With -binary the modules must be those the binary records: this test's
// own binary links none, so cmd/modelrouter's list does not match it.
func TestNoticesForAnotherBinarysModulesAreRefused(t *testing.T) {
	self, err := os.Executable()
	require.NoError(t, err)
	goVersion, err := checkBinaryLinks(self, nil)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(goVersion, "go1."), goVersion)

	_, err = checkBinaryLinks(self, []module{{Path: "github.com/gin-gonic/gin", Version: "v1.12.0"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "links other modules than go list -deps finds")
	assert.Contains(t, err.Error(), "in go list only: [github.com/gin-gonic/gin v1.12.0]")
}

// make dist writes the notices from the binary it packs, before packing.
func TestMakeDistPacksTheNoticesOfItsBinary(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", "-n", "dist", "VERSION=9.9.9")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	recipe := string(out)
	dist := "dist/modelrouter-9.9.9-"
	gen := strings.Index(recipe, "go run ./scripts/notices -binary "+dist)
	require.GreaterOrEqual(t, gen, 0, "make dist runs scripts/notices on the binary it packs:\n%s", recipe)
	line, _, _ := strings.Cut(recipe[gen:], "\n")
	assert.Regexp(t, `/bin/modelrouter .*-o dist/modelrouter-9\.9\.9-[a-z0-9]+-[a-z0-9]+/THIRD_PARTY_NOTICES$`, line)
	assert.Less(t, gen, strings.Index(recipe, "tar -C dist"), "written before the folder is packed")
}
