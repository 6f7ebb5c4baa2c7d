// Command notices writes THIRD_PARTY_NOTICES: the licence texts of what a
// modelrouter binary distribution contains. The binary statically links
// Go modules (gin, sugarme/tokenizer, mattn/go-sqlite3, onnxruntime_go,
// protobuf, ...) and the Go standard library, whose MIT, BSD and Apache
// licences ask for their notices to go with every copy; lib/ holds ONNX
// Runtime. `make dist` runs it on the binary it packs:
//
//	go run ./scripts/notices -binary dist/.../bin/modelrouter -o dist/.../THIRD_PARTY_NOTICES
//
// The modules come from `go list -deps` of -pkg (with their folders in the
// module cache); with -binary they must equal the list the binary records,
// which is exactly what it links. It is a program here, not a shell script,
// because it reads that record (debug/buildinfo) and go list's JSON, and
// a module with no licence file must stop it with that module's name.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	pkg := flag.String("pkg", "./cmd/modelrouter", "the main package whose linked modules are listed")
	binary := flag.String("binary", "", "the binary built from -pkg; its recorded modules must match (optional)")
	ortLicence := flag.String("onnxruntime-licence", "third_party/onnxruntime/LICENSE", "ONNX Runtime's licence, as shipped in lib/")
	ortVersion := flag.String("onnxruntime-version", "", "the ONNX Runtime version shipped in lib/ (optional)")
	out := flag.String("o", "", "the file to write (default: standard output)")
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	text, err := notices(options{Pkg: *pkg, Binary: *binary, ORTLicence: *ortLicence, ORTVersion: *ortVersion})
	if err != nil {
		fail(err)
	}
	if *out == "" {
		os.Stdout.WriteString(text)
		return
	}
	// Written only whole: a failed run leaves no file that looks complete.
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		fail(err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		os.Remove(tmp)
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "notices:", err)
	os.Exit(1)
}

type options struct {
	Pkg        string
	Binary     string
	ORTLicence string
	ORTVersion string
}

// notices builds the whole file: a list of what it covers, then each
// licence in full: the Go standard library, ONNX Runtime, then the modules
// by path, so the same inputs give the same bytes.
func notices(o options) (string, error) {
	mods, err := linkedModules(o.Pkg)
	if err != nil {
		return "", err
	}
	goVersion, err := goEnv("GOVERSION")
	if err != nil {
		return "", err
	}
	if o.Binary != "" {
		if goVersion, err = checkBinaryLinks(o.Binary, mods); err != nil {
			return "", err
		}
	}
	goroot, err := goEnv("GOROOT")
	if err != nil {
		return "", err
	}
	goLicence, err := os.ReadFile(filepath.Join(goroot, "LICENSE"))
	if err != nil {
		return "", fmt.Errorf("the Go standard library's licence: %v", err)
	}
	goFiles := []licenceFile{{Name: "LICENSE", Text: string(goLicence)}}
	if patents, err := os.ReadFile(filepath.Join(goroot, "PATENTS")); err == nil {
		goFiles = append(goFiles, licenceFile{Name: "PATENTS", Text: string(patents)})
	}
	ortLicence, err := os.ReadFile(o.ORTLicence)
	if err != nil {
		return "", fmt.Errorf("ONNX Runtime's licence: %v", err)
	}
	modSections, err := moduleNotices(mods)
	if err != nil {
		return "", err
	}
	ort := "ONNX Runtime"
	if o.ORTVersion != "" {
		ort += " " + o.ORTVersion
	}
	sections := append([]noticed{
		{Title: "Go standard library " + goVersion, Licences: goFiles},
		{Title: ort + " (lib/libonnxruntime.so)", Licences: []licenceFile{{Name: "LICENSE", Text: string(ortLicence)}}},
	}, modSections...)
	return render(sections, len(modSections)), nil
}

const (
	sectionRule = "================================================================================"
	fileRule    = "--------------------------------------------------------------------------------"
)

func render(sections []noticed, modules int) string {
	var b strings.Builder
	b.WriteString("THIRD-PARTY NOTICES for modelrouter\n\n")
	fmt.Fprintf(&b, "bin/modelrouter links the Go standard library and the %d Go modules listed below;\n", modules)
	b.WriteString("lib/libonnxruntime.so is ONNX Runtime. Their licences follow in full, in this order.\n\n")
	for _, s := range sections {
		b.WriteString("  " + s.Title + "\n")
	}
	for _, s := range sections {
		b.WriteString("\n" + sectionRule + "\n" + s.Title + "\n")
		if s.Note != "" {
			b.WriteString("\n" + s.Note + "\n")
		}
		for _, f := range s.Licences {
			b.WriteString(fileRule + "\n" + f.Name + ":\n\n")
			b.WriteString(strings.TrimRight(f.Text, "\n \t\r") + "\n")
		}
	}
	return b.String()
}

func goEnv(name string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("go", "env", name)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
