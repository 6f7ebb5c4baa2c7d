package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPlainLinesWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, 10, "train")
	b.every = time.Nanosecond
	for range 10 {
		b.Add(1)
		time.Sleep(time.Microsecond)
	}
	b.Describe("loss 0.42")
	b.Finish()
	out := buf.String()
	require.Contains(t, out, "train: 5/10 (50%)")
	require.Contains(t, out, "eta")
	last := strings.Split(strings.TrimSpace(out), "\n")
	require.Contains(t, last[len(last)-1], "train: 10/10 done in")
	require.Contains(t, last[len(last)-1], "loss 0.42")
}
