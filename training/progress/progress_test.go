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

func TestNoETAUntilOnePercentIsDone(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, 10000, "tokenize")
	b.every = time.Nanosecond
	b.Add(1)
	time.Sleep(time.Microsecond)
	b.Add(99)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], "tokenize: 1/10000 (0%)")
	require.Contains(t, lines[0], "eta ?", "one step of 10,000 says nothing of the rest")
	require.Contains(t, lines[1], "tokenize: 100/10000 (1%)")
	require.NotContains(t, lines[1], "eta ?")
}
