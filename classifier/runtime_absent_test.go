package classifier

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// RuntimeAbsent decides whether a test that needs ONNX Runtime skips or
// fails. Only no variable and no cached library skips: a variable naming
// no file is a library the user asked for, so a stale path fails the
// tests, naming the variable, the path and `make ort`, instead of letting
// every ONNX Runtime test skip as though it had passed.
func TestRuntimeAbsentSkipsOnlyWhenNoLibraryWasAskedFor(t *testing.T) {
	t.Chdir(t.TempDir()) // no cache here or above

	t.Setenv(LibraryEnv, "")
	_, err := LibraryPath()
	require.ErrorIs(t, err, ErrNoRuntime)
	require.True(t, RuntimeAbsent(err), "no variable, no cache: %v", err)
	require.True(t, RuntimeAbsent(fmt.Errorf("router model: %w", err)), "wrapped, as Load may")
	require.ErrorContains(t, err, "make ort", "the skip says how to get the library")

	stale := filepath.Join(t.TempDir(), "libonnxruntime.so")
	t.Setenv(LibraryEnv, stale)
	_, err = LibraryPath()
	require.ErrorIs(t, err, ErrNoRuntime)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.False(t, RuntimeAbsent(err), "a variable naming no file must fail: %v", err)
	require.False(t, RuntimeAbsent(fmt.Errorf("router model: %w", err)))
	require.ErrorContains(t, err, LibraryEnv+"="+stale)
	require.ErrorContains(t, err, "make ort")

	// A cached library does not make the stale variable skippable: the
	// variable still wins when the library is loaded.
	cached := filepath.FromSlash(DefaultLibrary)
	require.NoError(t, os.MkdirAll(filepath.Dir(cached), 0o755))
	require.NoError(t, os.WriteFile(cached, []byte("a library"), 0o644))
	_, err = LibraryPath()
	require.False(t, RuntimeAbsent(err), "%v", err)

	// A library that is there but does not load is no absence either.
	require.False(t, RuntimeAbsent(loadError(stale, "", fromEnv, errors.New("Error setting ORT API base: 2"))))
	require.False(t, RuntimeAbsent(nil))
}
