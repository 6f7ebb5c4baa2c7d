package classifier

import (
	"debug/elf"
	"strings"
)

// libraryVersion reads which ONNX Runtime the file at path is without
// loading it, for the error when it does not load: ONNX Runtime's linker
// version script versions its exported symbols VERS_<version>
// (OrtGetApiBase@@VERS_1.24.1 in the npm build, @@VERS_1.17.0 in 1.17's).
// onnxruntime_go's GetVersion cannot tell after a failed load: it returns
// a pointer into the library it has just unloaded, and reading it crashes
// the process. Empty when the file is no ELF library or has no such
// version.
func libraryVersion(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		return ""
	}
	for _, s := range syms {
		if s.Name == "OrtGetApiBase" {
			if v, ok := strings.CutPrefix(s.Version, "VERS_"); ok {
				return v
			}
		}
	}
	return ""
}
