package classifier

import (
	"os"
	"os/exec"
	"path/filepath"
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

// A variable naming no file does not stand in for the library: the
// script still fetches (here npm fails, and so does the script).
func TestFetchScriptFetchesWhenTheVariableNamesNoFile(t *testing.T) {
	path, called := fakeNpm(t)
	out, err := runFetchScript(t, "PATH="+path, "ORT_CACHE="+t.TempDir(), LibraryEnv+"="+filepath.Join(t.TempDir(), "missing.so"))
	require.Error(t, err, "%s", out)
	require.FileExists(t, called)
}
