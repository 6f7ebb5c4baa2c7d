package classifier

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// installTree makes, under a temp folder, an install (prefix/bin/modelrouter)
// and a checkout to start it from (repo/sub), and returns the paths.
func installTree(t *testing.T) (exe, wd, prefix, repo string) {
	t.Helper()
	root := t.TempDir()
	prefix, repo = filepath.Join(root, "prefix"), filepath.Join(root, "repo")
	exe = filepath.Join(prefix, "bin", "modelrouter")
	wd = filepath.Join(repo, "sub")
	for _, dir := range []string{filepath.Dir(exe), filepath.Join(prefix, "lib"), wd} {
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	require.NoError(t, os.WriteFile(exe, []byte("a binary"), 0o755))
	return exe, wd, prefix, repo
}

func putLibrary(t *testing.T, path string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("a library"), 0o644))
	return path
}

// The order: the variable; beside the executable (its folder, then
// ../lib); the working directory's cache, or one above it. Each step is
// checked with every later place holding a library too, so a wrong order
// picks a wrong one.
func TestLibraryLookupOrder(t *testing.T) {
	exe, wd, prefix, repo := installTree(t)
	cached := putLibrary(t, filepath.Join(repo, DefaultLibrary)) // a parent of wd
	inLib := putLibrary(t, filepath.Join(prefix, "lib", "libonnxruntime.so"))
	inBin := putLibrary(t, filepath.Join(prefix, "bin", "libonnxruntime.so"))
	named := putLibrary(t, filepath.Join(t.TempDir(), "named.so"))

	steps := []struct {
		env, want string
		from      librarySource
		remove    string // before the next step
	}{
		{named, named, fromEnv, ""},
		{"", inBin, besideExecutable, inBin},
		{"", inLib, besideExecutable, inLib},
		{"", cached, fromCache, ""},
	}
	for _, s := range steps {
		got, from, err := findLibrary(s.env, exe, wd)
		require.NoError(t, err)
		require.Equal(t, s.want, got)
		require.Equal(t, s.from, from)
		if s.remove != "" {
			require.NoError(t, os.Remove(s.remove))
		}
	}
}

// A variable naming no file still wins over a library beside the
// executable: the user asked for that one (as it wins over the cache).
func TestLibraryVariableNamingNoFileWinsOverTheInstalledLibrary(t *testing.T) {
	exe, wd, prefix, _ := installTree(t)
	putLibrary(t, filepath.Join(prefix, "lib", "libonnxruntime.so"))
	missing := filepath.Join(t.TempDir(), "missing.so")
	_, _, err := findLibrary(missing, exe, wd)
	require.ErrorIs(t, err, ErrNoRuntime)
	require.False(t, RuntimeAbsent(err))
	require.ErrorContains(t, err, missing)
}

// Found nowhere: the error names each place looked, the variable first.
func TestLibraryNotFoundNamesEveryPlaceLooked(t *testing.T) {
	exe, wd, prefix, _ := installTree(t)
	_, _, err := findLibrary("", exe, wd)
	require.ErrorIs(t, err, ErrNoRuntime)
	require.True(t, RuntimeAbsent(err))
	for _, place := range []string{
		LibraryEnv + " is unset",
		filepath.Join(prefix, "bin", "libonnxruntime.so"),
		filepath.Join(prefix, "lib", "libonnxruntime.so"),
		filepath.Join(wd, DefaultLibrary) + " and the same below every folder above " + wd,
		"make dist", "make ort",
	} {
		require.ErrorContains(t, err, place)
	}
}

// Started from the root, there is no folder above to name.
func TestLibraryNotFoundFromTheRootNamesNoFolderAboveIt(t *testing.T) {
	exe, _, _, _ := installTree(t)
	_, _, err := findLibrary("", exe, "/")
	require.ErrorIs(t, err, ErrNoRuntime)
	require.ErrorContains(t, err, filepath.Join("/", DefaultLibrary))
	require.NotContains(t, err.Error(), "every folder above")
}

// LibraryPath itself looks beside the running executable, with links
// resolved: here the test binary, in go test's build folder, which holds
// no library, so the error names both places beside it.
func TestLibraryPathLooksBesideTheExecutable(t *testing.T) {
	t.Setenv(LibraryEnv, "")
	t.Chdir(t.TempDir())
	exe, err := os.Executable()
	require.NoError(t, err)
	exe, err = filepath.EvalSymlinks(exe)
	require.NoError(t, err)
	_, err = LibraryPath()
	require.ErrorContains(t, err, filepath.Join(filepath.Dir(exe), "libonnxruntime.so"))
	require.ErrorContains(t, err, filepath.Join(filepath.Dir(exe), "..", "lib", "libonnxruntime.so"))
}

// A library found beside the executable that does not load is to be
// replaced there: the cache's advice (delete it, make ort) would not help
// an install.
func TestLoadErrorOfAnInstalledLibrarySaysToReplaceIt(t *testing.T) {
	msg := loadError("/opt/mr/lib/libonnxruntime.so", "1.20.1", besideExecutable, errString("Error setting ORT API base: 2")).Error()
	require.Contains(t, msg, "replace it with ONNX Runtime "+LibraryVersion)
	require.NotContains(t, msg, "delete it")
}

type errString string

func (e errString) Error() string { return string(e) }
