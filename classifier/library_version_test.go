package classifier

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	ort "github.com/yalue/onnxruntime_go"
)

// The version read from the file, without loading it, is the one the
// loaded library reports about itself.
func TestLibraryVersionIsTheOneTheLibraryReports(t *testing.T) {
	requireRuntime(t)
	path, err := LibraryPath()
	require.NoError(t, err)
	require.NotEmpty(t, ort.GetVersion())
	require.Equal(t, ort.GetVersion(), libraryVersion(path), path)
}

func TestLibraryVersionOfAFileThatIsNoLibraryIsUnknown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "libonnxruntime.so")
	require.NoError(t, os.WriteFile(path, []byte("not a library\n"), 0o644))
	require.Empty(t, libraryVersion(path))
	require.Empty(t, libraryVersion(filepath.Join(t.TempDir(), "missing.so")))
}

// Without a version read from the file, an older library is still named
// as one, with the version needed.
func TestLoadErrorOfAnOlderLibraryOfUnknownVersion(t *testing.T) {
	err := loadError("/x/libonnxruntime.so", "", fromCache, errors.New("Error setting ORT API base: 2"))
	require.ErrorContains(t, err, fmt.Sprintf("does not offer C API version %d, so it is an older ONNX Runtime", libraryAPI))
	require.ErrorContains(t, err, "needs ONNX Runtime "+LibraryVersion)
	require.NotContains(t, err.Error(), "it is ONNX Runtime")
}
