package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The joint start is the default and is recorded; --bias-init raw gives
// the earlier start, a different model from the same seed.
func TestRunRecordsTheBiasStart(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 150, 1)
	b := writeToyDataset(t, dir, "mmlu-pro", 150, 2)
	run := func(raw bool) *Result {
		opt := tinyOptions(filepath.Join(dir, map[bool]string{false: "joint", true: "raw"}[raw]), a, b)
		opt.LeaveOneOut, opt.LeaveOneTaskOut, opt.RawBiasInit = false, false, raw
		res, err := Run(context.Background(), opt)
		require.NoError(t, err)
		return res
	}
	joint, raw := run(false), run(true)
	assert.Equal(t, "joint", joint.Metrics.Training.BiasInit)
	assert.Equal(t, "raw", raw.Metrics.Training.BiasInit)
	assert.NotEqual(t, joint.Weights.QB, raw.Weights.QB)
	prov, err := os.ReadFile(filepath.Join(dir, "joint", "PROVENANCE.md"))
	require.NoError(t, err)
	assert.Contains(t, string(prov), "quality biases and dataset offsets fitted together")
	prov, err = os.ReadFile(filepath.Join(dir, "raw", "PROVENANCE.md"))
	require.NoError(t, err)
	assert.NotContains(t, string(prov), "fitted together")
}
