package classifier

import (
	"fmt"
	"log/slog"

	ort "github.com/yalue/onnxruntime_go"
)

// newSession creates the ONNX Runtime session: one intra-op thread, since
// a prediction is tiny and latency matters more than one call's speed-up.
func newSession(onnx []byte, useCUDA bool, logger *slog.Logger) (*ort.DynamicAdvancedSession, string, error) {
	if useCUDA {
		s, err := createSession(onnx, true)
		if err == nil {
			return s, "cuda", nil
		}
		logger.Warn("router model: CUDA execution provider unavailable, using CPU", "error", err)
	}
	s, err := createSession(onnx, false)
	if err != nil {
		return nil, "", err
	}
	return s, "cpu", nil
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
