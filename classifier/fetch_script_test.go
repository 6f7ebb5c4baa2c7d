package classifier

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeNpm puts an npm first on PATH that records being called and fails,
// as npm does offline.
func fakeNpm(t *testing.T) (path, called string) {
	t.Helper()
	bin := t.TempDir()
	called = filepath.Join(bin, "called")
	script := "#!/bin/sh\ntouch " + called + "\nexit 1\n"
	require.NoError(t, os.WriteFile(filepath.Join(bin, "npm"), []byte(script), 0o755))
	return bin + string(os.PathListSeparator) + os.Getenv("PATH"), called
}

func runFetchScript(t *testing.T, env ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join("..", "scripts", "fetch-onnxruntime.sh"))
	cmd.Env = append(os.Environ(), env...)
	return cmd.CombinedOutput()
}

// `make ort`, which make run, test and train depend on: a library named by
// ONNXRUNTIME_SHARED_LIBRARY_PATH is the one loaded, so the target leaves
// npm alone and succeeds with an empty cache.
func TestFetchScriptUsesTheLibraryTheVariableNames(t *testing.T) {
	path, called := fakeNpm(t)
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so")
	require.NoError(t, os.WriteFile(lib, []byte("a library"), 0o644))
	cache := t.TempDir()

	out, err := runFetchScript(t, "PATH="+path, "ORT_CACHE="+cache, LibraryEnv+"="+lib)
	require.NoError(t, err, "%s", out)
	require.NoFileExists(t, called, "npm was run although %s names a library", LibraryEnv)
	require.Contains(t, string(out), LibraryEnv)
}

// A variable naming no file does not stand in for the library, and it
// still wins over the cache when the library is loaded: every ONNX Runtime
// test would fail on the missing file. The script (so `make ort` and
// every target that needs it) fails without fetching, naming the missing
// path and the cache, whether or not the cache holds the library.
func TestFetchScriptFailsWhenTheVariableNamesNoFile(t *testing.T) {
	path, called := fakeNpm(t)
	missing := filepath.Join(t.TempDir(), "missing.so")

	cache := t.TempDir()
	out, err := runFetchScript(t, "PATH="+path, "ORT_CACHE="+cache, LibraryEnv+"="+missing)
	require.Error(t, err, "%s", out)
	require.NoFileExists(t, called, "npm was run for a library %s would hide", LibraryEnv)
	require.Contains(t, string(out), LibraryEnv+"="+missing+" names no file")
	require.Contains(t, string(out), filepath.Join(cache, "1.24.1", "libonnxruntime.so"), "names where make ort would fetch it")

	cached := filepath.Join(cache, "1.24.1", "libonnxruntime.so")
	require.NoError(t, os.MkdirAll(filepath.Dir(cached), 0o755))
	require.NoError(t, os.WriteFile(cached, []byte("a library"), 0o644))
	out, err = runFetchScript(t, "PATH="+path, "ORT_CACHE="+cache, LibraryEnv+"="+missing)
	require.Error(t, err, "a cached library does not help while %s names no file: %s", LibraryEnv, out)
	require.Contains(t, string(out), missing)
	require.Contains(t, string(out), "unset it to use the cached "+cached)
}

// The Makefile sets the variable to the cache path when the environment
// does not: that path missing is the first `make ort`, which fetches.
func TestFetchScriptFetchesWhenTheVariableIsTheEmptyCache(t *testing.T) {
	path, called := fakeNpm(t)
	cache := t.TempDir()
	out, err := runFetchScript(t, "PATH="+path, "ORT_CACHE="+cache, LibraryEnv+"="+filepath.Join(cache, "1.24.1", "libonnxruntime.so"))
	require.Error(t, err, "%s", out) // the fake npm fails
	require.FileExists(t, called)
}

// The Makefile sets the variable to the cache path when the environment
// does not, so once `make ort` has filled the cache every make run, test
// and train passes it here: that is the cache in use, not a copy named on
// purpose, and the script says nothing (it once told each `make run` to
// "unset it to fetch" a library it already had).
func TestFetchScriptIsSilentWhenTheVariableIsTheFilledCache(t *testing.T) {
	path, called := fakeNpm(t)
	cache := t.TempDir()
	cached := filepath.Join(cache, "1.24.1", "libonnxruntime.so")
	require.NoError(t, os.MkdirAll(filepath.Dir(cached), 0o755))
	require.NoError(t, os.WriteFile(cached, []byte("a library"), 0o644))

	out, err := runFetchScript(t, "PATH="+path, "ORT_CACHE="+cache, LibraryEnv+"="+cached)
	require.NoError(t, err, "%s", out)
	require.NoFileExists(t, called)
	require.Empty(t, string(out))
}

// `make test` with a stale variable fails at `make ort`, before any test
// runs, rather than failing every ONNX Runtime test one by one.
func TestMakeTestFailsWhenTheVariableNamesNoFile(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	path, called := fakeNpm(t)
	missing := filepath.Join(t.TempDir(), "missing.so")
	cmd := exec.Command("make", "-C", "..", "test", "GOFLAGS_TEST=-run=^$$")
	cmd.Env = append(os.Environ(), "PATH="+path, LibraryEnv+"="+missing)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "%s", out)
	require.NoFileExists(t, called)
	require.Contains(t, string(out), missing+" names no file")
	require.NotContains(t, string(out), "go test", "no test ran")
}

// makeSees runs `make -C ..` with a target of the test's own that prints
// the library variable its recipes (go test, go run) get, the variable set
// to value, or unset when value is nil.
func makeSees(t *testing.T, value *string) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	extra := filepath.Join(t.TempDir(), "print.mk")
	require.NoError(t, os.WriteFile(extra, []byte("print-ort-library:\n\t@echo \"$$"+LibraryEnv+"\"\n"), 0o644))
	cmd := exec.Command("make", "-s", "-C", "..", "-f", "Makefile", "-f", extra, "print-ort-library")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, LibraryEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if value != nil {
		cmd.Env = append(cmd.Env, LibraryEnv+"="+*value)
	}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return strings.TrimSpace(string(out))
}

// A relative variable names a file from the repository root, where make
// ort looks, but go test runs each package in its own folder, where it
// names none: every ONNX Runtime test would fail on it. The
// Makefile hands its recipes the absolute path of the same file.
func TestMakeGivesItsRecipesARelativeVariableAsAnAbsolutePath(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	lib := filepath.Join(t.TempDir(), "lib onnxruntime.so") // a space, too
	require.NoError(t, os.WriteFile(lib, []byte("a library"), 0o644))
	rel, err := filepath.Rel(root, lib)
	require.NoError(t, err)
	require.False(t, filepath.IsAbs(rel))

	seen := makeSees(t, &rel)
	require.True(t, filepath.IsAbs(seen), "recipes get %q", seen)
	require.Equal(t, lib, filepath.Clean(seen))

	// An absolute one is passed on as it is, and none is the cache's.
	require.Equal(t, lib, makeSees(t, &lib))
	require.Equal(t, filepath.Join(root, DefaultLibrary), makeSees(t, nil))
}
