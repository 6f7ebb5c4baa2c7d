package classifier

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// LibraryEnv names the environment variable that points at libonnxruntime.so.
const LibraryEnv = "ONNXRUNTIME_SHARED_LIBRARY_PATH"

// DefaultLibrary is where `make ort` puts the ONNX Runtime library, relative
// to the repository root.
const DefaultLibrary = ".cache/onnxruntime/1.24.1/libonnxruntime.so"

// ErrNoRuntime reports that the ONNX Runtime shared library was not found.
var ErrNoRuntime = errors.New("onnx runtime library not found")

var (
	runtimeMu   sync.Mutex
	runtimeErr  error
	runtimeDone bool
	// runtimeLib is the libonnxruntime.so InitRuntime loaded; empty when
	// someone else initialised ONNX Runtime.
	runtimeLib string
)

// LibraryPath returns the ONNX Runtime library to load: $ONNXRUNTIME_SHARED_LIBRARY_PATH,
// else DefaultLibrary in the working directory or the nearest parent that has it.
func LibraryPath() (string, error) {
	if p := os.Getenv(LibraryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			// The variable wins over the cache, so `make ort` alone would not
			// help: say both ways out.
			return "", fmt.Errorf("%w: %s=%s: %v (the variable overrides the cache %s: point it to an existing libonnxruntime.so, or unset it and run `make ort` to fetch the library of the npm package onnxruntime-node there)",
				ErrNoRuntime, LibraryEnv, p, err, DefaultLibrary)
		}
		return p, nil
	}
	dir, err := os.Getwd()
	if err == nil {
		for {
			p := filepath.Join(dir, DefaultLibrary)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("%w: set %s to libonnxruntime.so, or run `make ort` to fetch it from the npm package onnxruntime-node into %s (in this folder or one above)", ErrNoRuntime, LibraryEnv, DefaultLibrary)
}

// InitRuntime loads ONNX Runtime once per process. Every package that runs
// ONNX models goes through here, because the runtime's environment is
// process-global and may only be created once.
func InitRuntime() error {
	runtimeMu.Lock()
	defer runtimeMu.Unlock()
	if runtimeDone {
		return runtimeErr
	}
	if ort.IsInitialized() { // someone else initialised it directly
		runtimeDone = true
		return nil
	}
	path, err := LibraryPath()
	if err != nil {
		return err // not cached: the library may appear later (make ort)
	}
	ort.SetSharedLibraryPath(path)
	runtimeLib = path
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		runtimeErr = fmt.Errorf("onnx runtime %s: %w", path, err)
	}
	runtimeDone = true
	return runtimeErr
}
