package classifier

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// LibraryEnv names the environment variable that points at libonnxruntime.so.
const LibraryEnv = "ONNXRUNTIME_SHARED_LIBRARY_PATH"

// LibraryVersion is the ONNX Runtime `make ort` fetches: the one whose C
// API, version libraryAPI (its minor number), onnxruntime_go's headers are
// written for (TestFetchedLibraryVersionMatchesOnnxruntimeGoHeaders).
const LibraryVersion = "1.24.1"

// libraryAPI is the ORT_API_VERSION of onnxruntime_go's headers, which
// onnxruntime_go asks the library for: an older library does not have it.
const libraryAPI = 24

// DefaultLibrary is where `make ort` puts the ONNX Runtime library, relative
// to the repository root.
const DefaultLibrary = ".cache/onnxruntime/" + LibraryVersion + "/libonnxruntime.so"

// ErrNoRuntime reports that the ONNX Runtime shared library was not found.
var ErrNoRuntime = errors.New("onnx runtime library not found")

// namedLibraryMissing is ErrNoRuntime when LibraryEnv names no file: unlike
// no variable and no cache, the user asked for that library
// (RuntimeAbsent tells them apart).
type namedLibraryMissing struct {
	path string
	err  error // os.Stat's
}

// Error says both ways out: the variable wins over the cache, so `make ort`
// alone would not help.
func (e *namedLibraryMissing) Error() string {
	return fmt.Sprintf("%v: %s=%s: %v (the variable overrides the cache %s: point it to an existing libonnxruntime.so, or unset it and run `make ort` to fetch the library of the npm package onnxruntime-node there)",
		ErrNoRuntime, LibraryEnv, e.path, e.err, DefaultLibrary)
}

func (e *namedLibraryMissing) Unwrap() []error { return []error{ErrNoRuntime, e.err} }

// RuntimeAbsent reports whether err, from InitRuntime, Load or LoadDir,
// says only that no ONNX Runtime library was asked for or found:
// LibraryEnv unset and none in the cache. A test that needs ONNX Runtime may skip then
// (the error says how to get the library). Any other error must fail it:
// a variable naming no file is a library someone asked for, and a stale
// path skipping every ONNX Runtime test would look like a pass. make test
// and .ci/run always set the variable, so there nothing skips.
func RuntimeAbsent(err error) bool {
	var named *namedLibraryMissing
	return errors.Is(err, ErrNoRuntime) && !errors.As(err, &named)
}

var (
	runtimeMu   sync.Mutex
	runtimeErr  error
	runtimeDone bool
	// runtimeLib is the libonnxruntime.so InitRuntime loaded; empty when
	// someone else initialised ONNX Runtime.
	runtimeLib string
)

// LibraryPath returns the ONNX Runtime library to load: $ONNXRUNTIME_SHARED_LIBRARY_PATH,
// else libonnxruntime.so beside the executable (its folder, then ../lib),
// else DefaultLibrary in the working directory or the nearest parent that has it.
func LibraryPath() (string, error) {
	path, _, err := findLibrary(os.Getenv(LibraryEnv), executablePath(), workingDir())
	return path, err
}

// librarySource says where findLibrary found the library, for the advice
// when it does not load.
type librarySource int

const (
	fromEnv librarySource = iota
	besideExecutable
	fromCache
)

// installedLibraries are where an installed modelrouter keeps the library,
// relative to the executable's folder: beside it, and the usual prefix
// layout (/usr/local/bin/modelrouter, /usr/local/lib/libonnxruntime.so),
// which `make dist`'s tarball has.
var installedLibraries = []string{"libonnxruntime.so", filepath.Join("..", "lib", "libonnxruntime.so")}

// findLibrary looks for the library in order: the variable env, which
// names a library on purpose and so wins; then beside the executable exe
// (links resolved; empty when unknown), where an install puts the library
// that goes with this binary; last DefaultLibrary in wd or a folder above
// it, the development cache. The working directory comes last because it
// is incidental: a server started from /srv, or from inside a checkout
// whose cache holds another version, must still load the library
// installed with its binary. The error names every place looked.
func findLibrary(env, exe, wd string) (string, librarySource, error) {
	if env != "" {
		if _, err := os.Stat(env); err != nil {
			return "", fromEnv, &namedLibraryMissing{path: env, err: err}
		}
		return env, fromEnv, nil
	}
	var looked []string
	if exe != "" {
		for _, rel := range installedLibraries {
			p := filepath.Join(filepath.Dir(exe), rel)
			if _, err := os.Stat(p); err == nil {
				return p, besideExecutable, nil
			}
			looked = append(looked, p)
		}
	}
	if wd != "" {
		for dir := wd; ; {
			p := filepath.Join(dir, DefaultLibrary)
			if _, err := os.Stat(p); err == nil {
				return p, fromCache, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
		where := filepath.Join(wd, DefaultLibrary)
		if filepath.Dir(wd) != wd { // the root has no folder above it
			where += " and the same below every folder above " + wd
		}
		looked = append(looked, where)
	}
	return "", fromCache, fmt.Errorf("%w: %s is unset, and none is at %s; set %s to libonnxruntime.so, put it beside the executable (its folder or ../lib, as `make dist` does), or run `make ort` to fetch it from the npm package onnxruntime-node into %s (in this folder or one above)",
		ErrNoRuntime, LibraryEnv, strings.Join(looked, ", "), LibraryEnv, DefaultLibrary)
}

// executablePath is this process's executable with links resolved (a
// /usr/local/bin/modelrouter that links to /opt/modelrouter/bin/modelrouter
// finds /opt/modelrouter/lib), or "" when unknown.
func executablePath() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		return resolved
	}
	return exe
}

func workingDir() string {
	wd, _ := os.Getwd()
	return wd
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
	path, from, err := findLibrary(os.Getenv(LibraryEnv), executablePath(), workingDir())
	if err != nil {
		return err // not cached: the library may appear later (make ort)
	}
	ort.SetSharedLibraryPath(path)
	runtimeLib = path
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		// The Makefile sets the variable to the cache path: a bad file
		// there is the cache's, which neither unsetting the variable nor
		// make ort (it fetches only into an empty cache) replaces.
		if from == fromEnv && inCache(path) {
			from = fromCache
		}
		runtimeErr = loadError(path, libraryVersion(path), from, err)
	}
	runtimeDone = true
	return runtimeErr
}

// inCache reports whether path is the cache's library, DefaultLibrary
// below some folder, where make ort puts it.
func inCache(path string) bool {
	return strings.HasSuffix(filepath.ToSlash(filepath.Clean(path)), "/"+DefaultLibrary)
}

// loadError explains why the library at path did not load (onnxruntime_go
// says only "Error setting ORT API base: 2" for an older ONNX Runtime), the
// version found (libraryVersion; empty when unknown) and the one needed,
// and how to get it, which depends on where the library was found (from).
func loadError(path, found string, from librarySource, err error) error {
	why := "it did not load"
	switch msg := err.Error(); {
	case strings.Contains(msg, "Error setting ORT API base"):
		// onnxruntime_go's SetAPIFromBase: GetApi(ORT_API_VERSION) gave NULL.
		why = fmt.Sprintf("it does not offer C API version %d, so it is an older ONNX Runtime", libraryAPI)
		if found != "" {
			why = fmt.Sprintf("it is ONNX Runtime %s, which does not offer C API version %d", found, libraryAPI)
		}
	case strings.Contains(msg, "Error loading ONNX shared library"), strings.Contains(msg, "Error looking up OrtGetApiBase"):
		why = "it is not an ONNX Runtime shared library this system can load"
	}
	fetch := fmt.Sprintf("run `make ort`, which fetches ONNX Runtime %s from the npm package onnxruntime-node into %s", LibraryVersion, DefaultLibrary)
	var fix string
	switch from {
	case fromEnv:
		fix = fmt.Sprintf("point %s at ONNX Runtime %s's libonnxruntime.so, or unset it and %s", LibraryEnv, LibraryVersion, fetch)
	case besideExecutable:
		fix = fmt.Sprintf("replace it with ONNX Runtime %s's libonnxruntime.so (the one `make dist` ships), or point %s at that", LibraryVersion, LibraryEnv)
	default:
		fix = "delete it and " + fetch
	}
	return fmt.Errorf("onnx runtime %s: %w (modelrouter needs ONNX Runtime %s, C API version %d, the one onnxruntime_go's headers are written for; %s: %s)",
		path, err, LibraryVersion, libraryAPI, why, fix)
}
