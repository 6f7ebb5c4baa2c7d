package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// licenceFile is one file of a module's licence, named by its path from
// the module's root.
type licenceFile struct {
	Name string
	Text string
}

// isLicenceName reports whether a file or folder name at a module's root
// is one of its licence files: LICENSE*, LICENCE*, COPYING*, NOTICE*, in
// any case (License.md, LICENSE-APACHE, NOTICE.txt).
func isLicenceName(name string) bool {
	n := strings.ToUpper(name)
	for _, p := range []string{"LICENSE", "LICENCE", "COPYING", "NOTICE"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// isPatentsName reports whether a file at a module's root is a patent grant
// that goes with its licence: the Go project's PATENTS (Go itself and the
// golang.org/x modules) gives the licence's users rights the BSD text does
// not, so it travels with it. It is no licence on its own (hasLicence).
func isPatentsName(name string) bool {
	return strings.HasPrefix(strings.ToUpper(name), "PATENTS")
}

// hasLicence reports whether files hold a licence, not only a patent grant.
func hasLicence(files []licenceFile) bool {
	for _, f := range files {
		if !isPatentsName(f.Name) {
			return true
		}
	}
	return false
}

// licenceFiles reads a module's licence files at its root, sorted by name,
// with its PATENTS file where it has one.
// A folder with a licence name counts too, its files one level down:
// github.com/golang/freetype's LICENSE only says to choose one of
// licenses/ftl.txt and licenses/gpl.txt, whose texts must then travel too.
func licenceFiles(dir string) ([]licenceFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []licenceFile
	add := func(rel string) error {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		files = append(files, licenceFile{Name: filepath.ToSlash(rel), Text: asUTF8(b)})
		return nil
	}
	for _, e := range entries {
		if isPatentsName(e.Name()) && e.Type().IsRegular() {
			if err := add(e.Name()); err != nil {
				return nil, err
			}
			continue
		}
		if !isLicenceName(e.Name()) {
			continue
		}
		if !e.IsDir() {
			if err := add(e.Name()); err != nil {
				return nil, err
			}
			continue
		}
		inner, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range inner {
			if f.Type().IsRegular() {
				if err := add(filepath.Join(e.Name(), f.Name())); err != nil {
					return nil, err
				}
			}
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// noticed is one section of the notices: what it covers, under which
// terms where its licence files leave that open (termsNote), and its
// licence.
type noticed struct {
	Title    string
	Note     string
	Licences []licenceFile
}

// moduleNotices finds every module's licence files. A module without one is
// an error naming it, with all the others that lack one: shipping its code
// without its notice is what this program is there to prevent.
func moduleNotices(mods []module) ([]noticed, error) {
	var out []noticed
	var missing []string
	for _, m := range mods {
		dir := m.licenceDir()
		if dir == "" {
			missing = append(missing, m.String()+" (not in the module cache: go mod download "+m.Path+")")
			continue
		}
		files, err := licenceFiles(dir)
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s (%v)", m, err))
			continue
		}
		if !hasLicence(files) {
			missing = append(missing, m.String()+" (no LICENSE*, LICENCE*, COPYING* or NOTICE* in "+dir+")")
			continue
		}
		out = append(out, noticed{Title: m.String(), Note: termsNote(m.Path, dir), Licences: files})
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no licence found for %d linked module(s): %s", len(missing), strings.Join(missing, "; "))
	}
	return out, nil
}

// asUTF8 keeps the notices one encoding: a licence file that is not UTF-8
// is read as Latin-1, as old ones are (freetype's licenses/ftl.txt has a
// Latin-1 copyright sign), rather than pasted as bytes no reader decodes.
func asUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
