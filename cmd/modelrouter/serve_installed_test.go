package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// README "Installing on a server": unpacked from `make dist`, modelrouter
// finds ONNX Runtime in ../lib beside its bin/ folder, with no variable
// set and started from any folder (here one with no cache above it), and
// serves: ready, and a dry run decides with the router model.
func TestServeFromAnInstallFindsTheLibraryInItsLibFolder(t *testing.T) {
	classifiertest.RequireRuntime(t)
	lib, err := classifier.LibraryPath()
	require.NoError(t, err)

	prefix := t.TempDir()
	bin := filepath.Join(prefix, "bin", "modelrouter")
	copyFile(t, testBinary(t), bin, 0o755)
	copyFile(t, lib, filepath.Join(prefix, "lib", "libonnxruntime.so"), 0o644)

	home, elsewhere := t.TempDir(), t.TempDir()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(home, "modelrouter.db"))
	cmd.Dir = elsewhere
	cmd.Env = append(withoutEnv(os.Environ(), classifier.LibraryEnv, "MODELROUTER_CONFIG", "GIN_MODE", "HOME"),
		"HOME="+home, runAsModelrouter+"=1")
	gw := runServeCommand(t, cmd)

	resp, err := http.Get(gw.url + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	resp, err = http.Post(gw.url+"/v1/route", "application/json",
		strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"Prove that there are infinitely many primes."}]}`))
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	var decision struct {
		ChosenModel string  `json:"chosen_model"`
		BestQuality float64 `json:"best_quality"` // the router model's prediction
	}
	require.NoError(t, json.Unmarshal(body, &decision))
	require.NotEmpty(t, decision.ChosenModel, "%s", body)
	require.Positive(t, decision.BestQuality, "%s", body)
	require.FileExists(t, filepath.Join(home, "modelrouter.db"))
}

// testBinary is this test binary, which runs main when runAsModelrouter
// is set (TestMain).
func testBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(to), 0o755))
	src, err := os.Open(from)
	require.NoError(t, err)
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
}
