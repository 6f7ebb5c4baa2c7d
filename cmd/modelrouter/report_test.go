package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// writeLog logs n answers per day on two days: deployment "prod" routes to
// "small" (cost .001, expected .002) instead of "big" (expected .01).
func writeLog(t *testing.T, n int) string {
	t.Helper()
	s, path := newLogStore(t)
	cands := []router.Candidate{
		{Model: "big", Eligible: true, Quality: .9, ExpectedCost: .01},
		{Model: "small", Eligible: true, Quality: .89, ExpectedCost: .002},
	}
	for d := range 2 {
		for i := range n {
			s.Log().Record(router.Record{
				RequestID: fmt.Sprintf("day%d-%d", d, i),
				Time:      time.Date(2026, 2, 1+d, 10, 0, i, 0, time.UTC), API: "chat.completions", PromptHash: "h",
				Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: "small", Candidates: cands},
				Answered: "small", Status: 200, Usage: router.Usage{PromptTokens: 100, CompletionTokens: 20}, CostUSD: .001,
			})
		}
	}
	require.NoError(t, s.Close())
	return path
}

// newLogStore opens a decision log in a fresh folder: the test records
// into it and closes it before a command reads the file at path.
func newLogStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	return s, path
}

// assertFits120 fails for each line of tables wider than a 120-column
// terminal. A terminal gives a character columns, not bytes: the "…" that
// ends a shown key prefix takes one, a Japanese character two.
func assertFits120(t *testing.T, tables string) {
	t.Helper()
	for line := range strings.Lines(tables) {
		assert.LessOrEqual(t, terminalColumns(strings.TrimRight(line, "\n")), 120, "%q", line)
	}
}

// terminalColumns is how many columns a terminal gives line: two for each
// East Asian wide character (Han, kana, Hangul, fullwidth forms), none for
// a combining mark, one for any other (the halfwidth kana and Hangul
// forms included). It reads Unicode's script tables, apart from the code
// under test, so that the two can disagree.
func terminalColumns(line string) int {
	n := 0
	for _, r := range line {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r >= 0xFF61 && r <= 0xFFDC:
			n++
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul),
			r >= 0xFF01 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
			n += 2
		default:
			n++
		}
	}
	return n
}

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestReportFormats(t *testing.T) {
	db := writeLog(t, 3)

	out, _, err := runCmd(t, "report", "--db", db, "--format", "json")
	require.NoError(t, err)
	var rep store.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, int64(6), rep.Total.Requests)
	assert.InDelta(t, .006, rep.Total.CostUSD, 1e-12)
	assert.InDelta(t, 6*(.01-.002), rep.Total.SavingsStrongest, 1e-12)
	assert.Equal(t, "big", rep.BestSingle["prod"])

	out, _, err = runCmd(t, "report", "--db", db, "--format", "csv", "--by", "day")
	require.NoError(t, err)
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 3, "header and one row per day")
	assert.Equal(t, []string{"day", "deployment", "model", "requests"}, records[0][:4])
	assert.Equal(t, []string{"2026-02-01", "prod", "small", "3"}, records[1][:4])
	assert.Equal(t, "2026-02-02", records[2][0])
	last := len(records[0]) - 1
	assert.Equal(t, []string{"answered", "3"}, []string{records[0][last], records[1][last]},
		"the base of the savings, as the JSON's answered")

	out, _, err = runCmd(t, "report", "--db", db, "--since", "2026-02-02", "--until", "2026-02-02")
	require.NoError(t, err)
	assert.Regexp(t, `prod\s+small\s+3\s+0\s+0\s+300\s+60\s+0\s+0\n`, out, "requests, errors, failovers and tokens")
	assert.Regexp(t, `prod\s+small\s+0\.0030\s+0\.0060\s+0\.0240 80\.0%`, out, "cost, expected cost and savings")
	assert.Contains(t, out, "prod: best single model big")
	assert.Contains(t, out, store.SavingsMethod)

	out, _, err = runCmd(t, "report", "--db", db, "--deployment", "staging")
	require.NoError(t, err)
	assert.Contains(t, out, "no decisions in the selected range")
}

func TestReportBadInput(t *testing.T) {
	db := writeLog(t, 1)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing database", []string{"--db", filepath.Join(t.TempDir(), "none.db")}, "no such file"},
		{"bad format", []string{"--db", db, "--format", "xml"}, "want table, csv or json"},
		{"bad by", []string{"--db", db, "--by", "week"}, "only day"},
		{"bad since", []string{"--db", db, "--since", "yesterday"}, "since"},
		{"range backwards", []string{"--db", db, "--since", "2026-02-02", "--until", "2026-02-01"}, "must be after"},
		{"stray argument", []string{"--db", db, "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, append([]string{"report"}, tt.args...)...)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestReportShowsProgressOnLargeLogs(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large log")
	}
	db := writeLog(t, reportProgressFrom/2)
	_, stderr, err := runCmd(t, "report", "--db", db)
	require.NoError(t, err)
	assert.Contains(t, stderr, "report: 20000/20000 done")
}
