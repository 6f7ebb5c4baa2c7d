package pipeline

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// Issue 2: training "shows progress (a progress bar with loss and ETA)".
// Off a terminal the bar is log lines; the fit's last one says it is done
// and carries the loss of its last step.
func TestTrainingLogsItsLossWithItsProgress(t *testing.T) {
	dir := t.TempDir()
	data := writeToyDataset(t, dir, "mmlu-pro", 120, 1)
	opt := tinyOptions(filepath.Join(dir, "out"), data)
	opt.Epochs, opt.LeaveOneOut, opt.LeaveOneTaskOut = 2, false, false
	var log bytes.Buffer
	opt.Log = &log
	_, err := Run(context.Background(), opt)
	require.NoError(t, err)
	done := regexp.MustCompile(`(?m)^train: (\d+)/(\d+) done in \S+ loss (\d+\.\d{4})$`).FindStringSubmatch(log.String())
	require.NotNil(t, done, "no train line with its loss in:\n%s", log.String())
	require.Equal(t, done[1], done[2], "the fit ran every step")
	require.NotEqual(t, "0.0000", done[3])
}
