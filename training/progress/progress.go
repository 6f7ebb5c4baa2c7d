// Package progress shows how far long work has come: a progress bar with
// count, rate and ETA on a terminal, and plain log lines otherwise (CI logs,
// pipes), so every long command reports the same way.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// Bar counts steps of one task. It is safe for concurrent use.
type Bar struct {
	mu      sync.Mutex
	bar     *progressbar.ProgressBar // nil when not on a terminal
	w       io.Writer
	desc    string
	total   int64
	done    int64
	start   time.Time
	lastLog time.Time
	every   time.Duration
	suffix  string
}

// New starts a bar for total steps written to w. On a terminal it draws a
// bar; otherwise it writes a line at most every 5 seconds and at the end.
func New(w io.Writer, total int64, desc string) *Bar {
	b := &Bar{w: w, desc: desc, total: total, start: time.Now(), every: 5 * time.Second}
	// Any writer with a file descriptor, not only *os.File: modelrouter
	// hands its commands a stderr that wraps the process's.
	if f, ok := w.(interface{ Fd() uintptr }); ok && isatty.IsTerminal(f.Fd()) {
		b.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return b
}

// Add advances the bar by n steps.
func (b *Bar) Add(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	if b.bar != nil {
		_ = b.bar.Add64(n)
		return
	}
	if now := time.Now(); now.Sub(b.lastLog) >= b.every && b.done < b.total {
		b.lastLog = now
		b.logLine(now)
	}
}

// Describe sets a short status shown next to the bar, e.g. the current loss.
func (b *Bar) Describe(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.suffix = s
	if b.bar != nil {
		b.bar.Describe(b.desc + " " + s)
	}
}

// Finish completes the bar and writes a final line. Work that ended short
// of its total (Ctrl-C, an error, a fit that diverged) says where it
// stopped: "train: 0/73 done" above "context canceled" read as if training
// had finished.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar != nil {
		_ = b.bar.Finish()
	}
	took := time.Since(b.start).Round(time.Millisecond)
	line := fmt.Sprintf("%s: %d/%d done in %s", b.desc, b.done, b.total, took)
	if b.done < b.total {
		line = fmt.Sprintf("%s: stopped at %d/%d after %s", b.desc, b.done, b.total, took)
	}
	fmt.Fprintln(b.w, withSuffix(line, b.suffix))
}

// withSuffix appends the status, if any, after a space (a log line with no
// status ends without a trailing blank).
func withSuffix(line, suffix string) string {
	if suffix == "" {
		return line
	}
	return line + " " + suffix
}

func (b *Bar) logLine(now time.Time) {
	elapsed := now.Sub(b.start)
	eta := "?"
	// The first steps carry the task's start-up (allocations, the first
	// batch's warm caches) and are too few to time: an ETA from them read
	// "eta 31m30s" for a train of 851 batches that took 39 s. None until
	// 1% is done.
	if b.done > 0 && 100*b.done >= b.total {
		eta = (time.Duration(float64(elapsed) * float64(b.total-b.done) / float64(b.done))).Round(time.Second).String()
	}
	fmt.Fprintln(b.w, withSuffix(fmt.Sprintf("%s: %d/%d (%.0f%%) elapsed %s eta %s", b.desc, b.done, b.total,
		100*float64(b.done)/float64(max(b.total, 1)), elapsed.Round(time.Second), eta), b.suffix))
}
