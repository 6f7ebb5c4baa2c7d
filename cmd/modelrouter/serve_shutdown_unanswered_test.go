package main

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// A call whose answer has not begun when --grace runs out gets the
// gateway's 503 server_shutting_down, whole, before its connection is
// closed: the answer is written after the handler has sent its record, so
// serve must wait for it to reach the connection, not only for the
// record. It is a race (closing the connection first leaves the client an
// EOF; seen in most runs under the race detector, rarely without), so the
// shutdown runs many times with many calls open.
func TestACallNotYetAnsweredWhenGraceRunsOutGetsA503(t *testing.T) {
	fake := stallingUpstream(t) // a call without stream waits for ever
	cat, err := models.Catalog()
	require.NoError(t, err)
	m, ok := cat.Model("gpt-4o-2024-11-20")
	require.True(t, ok)
	const rounds, n = 20, 16
	for round := range rounds {
		db := filepath.Join(t.TempDir(), fmt.Sprintf("round%d.db", round))
		base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
			o.grace = 100 * time.Millisecond
			o.rateLimits = false
		})
		before := len(fake.RequestsFor(m.UpstreamModel))
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.Post(base+"/v1/chat/completions", "application/json",
					strings.NewReader(`{"model":"model-router","routing_config":{"models":["`+m.ID+`"]},"messages":[{"role":"user","content":"hi"}]}`))
				if err != nil {
					errs <- err
					return
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				switch {
				case err != nil:
					errs <- fmt.Errorf("reading the answer: %w", err)
				case resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "server_shutting_down"):
					errs <- fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
				}
			}()
		}
		// Every call is being forwarded: the provider has it.
		for len(fake.RequestsFor(m.UpstreamModel)) < before+n {
			time.Sleep(time.Millisecond)
		}
		stop()
		wg.Wait()
		close(errs)
		for err := range errs {
			assert.NoError(t, err, "round %d: a call cut at shutdown gets no 503", round)
		}
		require.NoError(t, <-done)
	}
}
