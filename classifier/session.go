package classifier

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	ort "github.com/yalue/onnxruntime_go"
)

// newSession creates the ONNX Runtime session: one intra-op thread, since
// a prediction is tiny and latency matters more than one call's speed-up.
func newSession(onnx []byte, useCUDA bool, logger *slog.Logger) (*ort.DynamicAdvancedSession, string, error) {
	if useCUDA {
		s, err := createCUDASession(onnx)
		if err == nil {
			return s, "cuda", nil
		}
		if hint := cudaHint(); hint != "" {
			logger.Warn("router model: CUDA execution provider unavailable, using CPU", "error", err, "hint", hint)
		} else {
			logger.Warn("router model: CUDA execution provider unavailable, using CPU", "error", err)
		}
	}
	s, err := createSession(onnx, false)
	if err != nil {
		return nil, "", err
	}
	return s, "cpu", nil
}

// createCUDASession tries the CUDA execution provider with ONNX Runtime's
// own logging held to fatal errors: a failed attempt otherwise prints its
// own multi-line error to stderr before our one warning line says the same.
func createCUDASession(onnx []byte) (*ort.DynamicAdvancedSession, error) {
	if ort.SetEnvironmentLogLevel(ort.LoggingLevelFatal) == nil {
		defer func() { _ = ort.SetEnvironmentLogLevel(ort.LoggingLevelError) }()
	}
	return createSession(onnx, true)
}

// cudaProviderLibs are the files ONNX Runtime loads from its own folder for
// the CUDA execution provider; the npm build that `make ort` fetches has
// neither.
var cudaProviderLibs = []string{"libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"}

// cudaHint says what to install when the CUDA provider's libraries are not
// beside the loaded libonnxruntime.so; empty when they are there (then the
// error itself, about CUDA or the device, is the clue).
func cudaHint() string {
	runtimeMu.Lock()
	lib := runtimeLib
	runtimeMu.Unlock()
	if lib == "" {
		return ""
	}
	dir := filepath.Dir(lib)
	for _, name := range cudaProviderLibs {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Sprintf("%s has no %s: the npm build of ONNX Runtime ships no CUDA provider; copy %s and %s from ONNX Runtime's GPU build of the same version into that folder, with the CUDA and cuDNN libraries it needs installed",
				dir, name, cudaProviderLibs[0], cudaProviderLibs[1])
		}
	}
	return ""
}

func createSession(onnx []byte, cuda bool) (*ort.DynamicAdvancedSession, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("onnx runtime session options: %w", err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(1); err != nil {
		return nil, err
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return nil, err
	}
	if cuda {
		cudaOpts, err := ort.NewCUDAProviderOptions()
		if err != nil {
			return nil, fmt.Errorf("cuda provider options: %w", err)
		}
		defer cudaOpts.Destroy()
		if err := opts.AppendExecutionProviderCUDA(cudaOpts); err != nil {
			return nil, fmt.Errorf("cuda execution provider: %w", err)
		}
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(onnx, inputNames, outputNames, opts)
	if err != nil {
		return nil, fmt.Errorf("router.onnx: %w", err)
	}
	return s, nil
}

// probe runs an empty prompt once, letting ONNX Runtime size the outputs,
// to check them against the card (and to take the first-run cost at load
// rather than on the first request).
func (c *Classifier) probe() error {
	shape := ort.NewShape(1, 1)
	zeros := []int64{0, 0}
	idT, err := ort.NewTensor(shape, zeros[:1])
	if err != nil {
		return err
	}
	defer idT.Destroy()
	maskT, err := ort.NewTensor(shape, zeros[1:])
	if err != nil {
		return err
	}
	defer maskT.Destroy()
	outs := []ort.Value{nil, nil, nil}
	if err := c.session.Run([]ort.Value{idT, maskT}, outs); err != nil {
		return fmt.Errorf("router.onnx does not run as a router model: %w", err)
	}
	dims := make([]ort.Shape, len(outs))
	for i, o := range outs {
		dims[i] = o.GetShape()
		o.Destroy()
	}
	for i, name := range outputNames {
		if len(dims[i]) != 2 || dims[i][0] != 1 {
			return fmt.Errorf("router.onnx output %s has shape %v, want [batch, n]", name, dims[i])
		}
	}
	if int(dims[0][1]) != c.profiles || int(dims[1][1]) != c.profiles {
		return fmt.Errorf("router.onnx predicts %d profiles but router.json names %d", dims[0][1], c.profiles)
	}
	c.z = int(dims[2][1])
	return nil
}
