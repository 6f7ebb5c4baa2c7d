package main

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
)

// module is one Go module linked into the binary, with the folder its
// licence files are read from (the replacement's, when go.mod replaces it).
type module struct {
	Path    string
	Version string
	Dir     string
	Replace *module
}

// String names the module as `go version -m` does: path, version, and the
// replacement after "=>" (the code linked is the replacement's).
func (m module) String() string {
	s := m.Path + " " + m.Version
	if m.Replace != nil {
		r := m.Replace.Path
		if m.Replace.Version != "" {
			r += " " + m.Replace.Version
		}
		s += " => " + r
	}
	return strings.TrimSpace(s)
}

// licenceDir is where the linked code, and so its licence, lies.
func (m module) licenceDir() string {
	if m.Replace != nil {
		return m.Replace.Dir
	}
	return m.Dir
}

// linkedModules lists the modules that provide a package pkg imports,
// directly or not, leaving out the main module (this repository) and the
// standard library (no module). go list resolves build constraints as the
// build does, so this is the set `go build pkg` links.
func linkedModules(pkg string) ([]module, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Module", pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %v: %s", pkg, err, strings.TrimSpace(stderr.String()))
	}
	type listed struct {
		Module *struct {
			module
			Main bool
		}
	}
	seen := map[string]module{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list -deps %s: reading its output: %v", pkg, err)
		}
		if p.Module == nil || p.Module.Main {
			continue
		}
		seen[p.Module.Path] = p.Module.module
	}
	mods := make([]module, 0, len(seen))
	for _, m := range seen {
		mods = append(mods, m)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	return mods, nil
}

// checkBinaryLinks compares mods with the modules the built binary records
// (what `go version -m` prints), which is exactly what it links: a binary
// built with other tags, another GOOS or a changed go.mod would otherwise
// ship notices for a different set. It returns the binary's Go version.
func checkBinaryLinks(binary string, mods []module) (goVersion string, err error) {
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("reading the module list of %s: %v", binary, err)
	}
	listed := map[string]bool{}
	for _, m := range mods {
		listed[m.String()] = true
	}
	recorded := map[string]bool{}
	for _, d := range bi.Deps {
		m := module{Path: d.Path, Version: d.Version}
		if d.Replace != nil {
			m.Replace = &module{Path: d.Replace.Path, Version: d.Replace.Version}
		}
		recorded[m.String()] = true
	}
	var onlyBinary, onlyListed []string
	for m := range recorded {
		if !listed[m] {
			onlyBinary = append(onlyBinary, m)
		}
	}
	for m := range listed {
		if !recorded[m] {
			onlyListed = append(onlyListed, m)
		}
	}
	if len(onlyBinary)+len(onlyListed) > 0 {
		sort.Strings(onlyBinary)
		sort.Strings(onlyListed)
		return "", fmt.Errorf("%s links other modules than go list -deps finds (built with other tags, GOOS or go.mod?): in the binary only: [%s]; in go list only: [%s]",
			binary, strings.Join(onlyBinary, ", "), strings.Join(onlyListed, ", "))
	}
	return bi.GoVersion, nil
}
