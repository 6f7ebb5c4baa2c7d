package classifier

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The library `make ort` fetches must be the ONNX Runtime whose C API
// onnxruntime_go's headers were written for (issue 2): the headers'
// ORT_API_VERSION is the library's minor version (24 is 1.24.x). Every
// place that names the version (the cache path the classifier looks in,
// the Makefile, the fetch script, the README) names the same one, so that
// bumping onnxruntime_go without the library, or one of them alone, fails
// here rather than at load time.
func TestFetchedLibraryVersionMatchesOnnxruntimeGoHeaders(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to find onnxruntime_go's module")
	}
	out, err := exec.Command(goBin, "list", "-m", "-f", "{{.Version}} {{.Dir}}", "github.com/yalue/onnxruntime_go").Output()
	require.NoError(t, err)
	modVersion, modDir, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	require.True(t, ok && modDir != "", "go list: %q", out)
	header, err := os.ReadFile(filepath.Join(modDir, "onnxruntime_c_api.h"))
	require.NoError(t, err)
	api := regexp.MustCompile(`(?m)^#define ORT_API_VERSION (\d+)$`).FindSubmatch(header)
	require.NotNil(t, api, "no ORT_API_VERSION in onnxruntime_go's header")

	version := regexp.MustCompile(`onnxruntime/(\d+\.(\d+)\.\d+)/`).FindStringSubmatch(DefaultLibrary)
	require.NotNil(t, version, DefaultLibrary)
	require.Equal(t, string(api[1]), version[2],
		"onnxruntime_go %s's headers are ONNX Runtime API %s, but the classifier looks for ONNX Runtime %s", modVersion, api[1], version[1])
	require.Equal(t, string(api[1]), strconv.Itoa(libraryAPI), "the API version a load error names")
	require.Equal(t, version[1], LibraryVersion)

	read := func(path string) string {
		b, err := os.ReadFile(filepath.Join("..", path))
		require.NoError(t, err)
		return string(b)
	}
	for _, c := range []struct{ file, text string }{
		{"Makefile", "ORT_VERSION ?= " + version[1] + "\n"},
		{"scripts/fetch-onnxruntime.sh", `version="${ORT_VERSION:-` + version[1] + `}"`},
		{"README.md", "npm pack onnxruntime-node@" + version[1]},
		{"README.md", "onnxruntime_go " + modVersion + "'s headers"},
	} {
		require.Contains(t, read(c.file), c.text, c.file)
	}
}
