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

// Work cut short (Ctrl-C during train, an error) ends with where it
// stopped, not with "done", which a CI log would read as finished; lines
// without a status end without a trailing blank.
func TestFinishBeforeTheTotalSaysWhereItStopped(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, 73, "train")
	b.Add(5)
	b.Finish()
	out := buf.String()
	require.Contains(t, out, "train: stopped at 5/73 after ")
	require.NotContains(t, out, "done")
	require.True(t, strings.HasSuffix(out, "s\n"), "no trailing blank: %q", out)

	buf.Reset()
	b = New(&buf, 2, "tokenize")
	b.Add(2)
	b.Finish()
	require.Contains(t, buf.String(), "tokenize: 2/2 done in ")
	require.True(t, strings.HasSuffix(buf.String(), "s\n"), "no trailing blank: %q", buf.String())
}
