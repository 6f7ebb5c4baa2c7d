package classifier

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// runCI runs .ci/run with go, make and the tools it would install
// replaced by stand-ins that only note, per go test, which library the
// tests would load: nothing is built, fetched or installed.
func runCI(t *testing.T, env ...string) (goTest, makeOrt []string) {
	t.Helper()
	bin := t.TempDir()
	log := filepath.Join(bin, "go-test.log")
	makeLog := filepath.Join(bin, "make-ort.log")
	goScript := "#!/bin/sh\nif [ \"$1\" = test ]; then echo \"$" + LibraryEnv + "\" >> " + log + "; fi\n"
	makeScript := "#!/bin/sh\nif [ \"$1\" = ort ]; then echo \"$" + LibraryEnv + "\" >> " + makeLog + "; fi\n"
	for name, script := range map[string]string{
		"go": goScript, "make": makeScript, "npm": "#!/bin/sh\n", "gcc": "#!/bin/sh\n",
		"sqlite3": "#!/bin/sh\n", "chromium": "#!/bin/sh\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755))
	}
	cmd := exec.Command("bash", filepath.Join("..", ".ci", "run"))
	cmd.Env = append(os.Environ(), append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, env...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	seen, err := os.ReadFile(log)
	require.NoError(t, err)
	ort, err := os.ReadFile(makeLog)
	require.NoError(t, err)
	return strings.Fields(string(seen)), strings.Fields(string(ort))
}

// make ort fetches nothing when the variable names a library, so CI must
// test with that library: the cache it would otherwise point the tests
// at stays empty, and the ONNX Runtime tests and benchmarks would fail.
func TestCITestsWithTheLibraryTheVariableNames(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so")
	require.NoError(t, os.WriteFile(lib, []byte("a library"), 0o644))

	used, _ := runCI(t, LibraryEnv+"="+lib)
	require.NotEmpty(t, used)
	for _, used := range used {
		require.Equal(t, lib, used)
	}
}

// A relative variable names the file from the repository root, where
// .ci/run works; go test runs each package in its own folder, so the
// tests get its absolute path, not one that names no file there (every
// ONNX Runtime test would fail).
func TestCITestsWithARelativeVariablesLibraryByItsAbsolutePath(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so")
	require.NoError(t, os.WriteFile(lib, []byte("a library"), 0o644))
	rel, err := filepath.Rel(root, lib)
	require.NoError(t, err)
	require.False(t, filepath.IsAbs(rel))

	used, ort := runCI(t, LibraryEnv+"="+rel)
	require.NotEmpty(t, used)
	for _, u := range used {
		require.Equal(t, lib, u)
	}
	require.Equal(t, []string{lib}, ort)
}

// Without the variable, or with one naming no file, make ort fetches into
// the cache, and the tests load the library from there. make ort itself
// refuses a variable naming no file, so CI points it at the cache first.
func TestCITestsWithTheCachedLibraryOtherwise(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	cached := filepath.Join(root, ".cache", "onnxruntime", "1.24.1", "libonnxruntime.so")
	for _, env := range []string{LibraryEnv + "=", LibraryEnv + "=" + filepath.Join(t.TempDir(), "missing.so")} {
		used, ort := runCI(t, env)
		require.NotEmpty(t, used)
		for _, u := range used {
			require.Equal(t, cached, u, env)
		}
		require.Equal(t, []string{cached}, ort, "make ort runs with the variable naming the cache (%s)", env)
	}
}
