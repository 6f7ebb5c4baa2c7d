package classifier

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// loadErrorMark starts the child's line with InitRuntime's error.
const loadErrorMark = "init-runtime-error: "

// TestInitRuntimeChild runs only as the child of initRuntimeIn: ONNX
// Runtime loads once per process, so each library is tried in its own.
func TestInitRuntimeChild(t *testing.T) {
	if os.Getenv("MODELROUTER_INIT_RUNTIME_CHILD") != "1" {
		t.Skip("runs as the child of initRuntimeIn")
	}
	fmt.Println(loadErrorMark + fmt.Sprint(InitRuntime()))
}

// initRuntimeIn loads the library at lib, through LibraryEnv, in a fresh
// test process and returns InitRuntime's error text.
func initRuntimeIn(t *testing.T, lib string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestInitRuntimeChild$", "-test.v")
	cmd.Env = append(os.Environ(), "MODELROUTER_INIT_RUNTIME_CHILD=1", LibraryEnv+"="+lib)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, line := range strings.Split(string(out), "\n") {
		if msg, ok := strings.CutPrefix(line, loadErrorMark); ok {
			return msg
		}
	}
	t.Fatalf("the child printed no error line: %s", out)
	return ""
}

// requireNamesTheFix: the error names the library, the version needed and
// how to fetch it, since the variable wins over the cache.
func requireNamesTheFix(t *testing.T, msg, lib string) {
	t.Helper()
	require.Contains(t, msg, lib)
	require.Contains(t, msg, "needs ONNX Runtime "+LibraryVersion)
	require.Contains(t, msg, "make ort")
	require.Contains(t, msg, DefaultLibrary)
	require.Contains(t, msg, "unset it")
}

// A file that is not a shared library at all.
func TestLoadingAFileThatIsNoLibraryNamesItTheVersionAndTheFix(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so")
	require.NoError(t, os.WriteFile(lib, []byte("not a library\n"), 0o644))
	msg := initRuntimeIn(t, lib)
	requireNamesTheFix(t, msg, lib)
	require.Contains(t, msg, "not an ONNX Runtime shared library")
	t.Log(msg)
}

// An older ONNX Runtime: a stand-in built here that exports OrtGetApiBase
// as the real library does, versioned VERS_1.20.1 by a linker version
// script as ONNX Runtime's own build versions it, whose GetApi knows no API
// version above 20, as ONNX Runtime 1.20's would. onnxruntime_go reports
// only "Error setting ORT API base: 2" for it; the message names the
// version found beside the one needed.
func TestLoadingAnOlderLibraryNamesItTheVersionAndTheFix(t *testing.T) {
	const standInVersion = "1.20.1"
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc to build a stand-in library")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "old.c")
	require.NoError(t, os.WriteFile(src, []byte(`#include <stddef.h>
#include <stdint.h>
typedef struct {
	const void *(*GetApi)(uint32_t version);
	const char *(*GetVersionString)(void);
} OrtApiBase;
static const int api = 0;
static const void *get_api(uint32_t version) { return version <= 20 ? &api : NULL; }
static const char *version_string(void) { return "`+standInVersion+`"; }
static const OrtApiBase base = { get_api, version_string };
const OrtApiBase *OrtGetApiBase(void) { return &base; }
`), 0o644))
	script := filepath.Join(dir, "version.lds")
	require.NoError(t, os.WriteFile(script, []byte("VERS_"+standInVersion+" { global: OrtGetApiBase; local: *; };\n"), 0o644))
	lib := filepath.Join(dir, "libonnxruntime.so")
	out, err := exec.Command(cc, "-shared", "-fPIC", "-Wl,--version-script="+script, "-o", lib, src).CombinedOutput()
	require.NoError(t, err, "%s", out)

	msg := initRuntimeIn(t, lib)
	requireNamesTheFix(t, msg, lib)
	require.Contains(t, msg, fmt.Sprintf("it is ONNX Runtime %s, which does not offer C API version %d", standInVersion, libraryAPI))
	t.Log(msg)
}

// The Makefile sets the variable to the cache path itself, so a bad file
// in the cache comes through the variable: unsetting it would change
// nothing under make, and make ort fetches only into an empty cache. The
// message says to delete the file and run make ort.
func TestLoadingABadCachedLibraryThroughTheVariableSaysToDeleteIt(t *testing.T) {
	lib := filepath.Join(t.TempDir(), filepath.FromSlash(DefaultLibrary))
	require.NoError(t, os.MkdirAll(filepath.Dir(lib), 0o755))
	require.NoError(t, os.WriteFile(lib, []byte("not a library\n"), 0o644))
	msg := initRuntimeIn(t, lib)
	require.Contains(t, msg, lib)
	require.Contains(t, msg, "delete it and run `make ort`")
	require.NotContains(t, msg, "unset it")
	t.Log(msg)
}
