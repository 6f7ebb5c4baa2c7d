package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// assertField fails unless value stands in out as a whole field (spaces or
// a line's ends around it): present, and not cut.
func assertField(t *testing.T, out, value string) {
	t.Helper()
	assert.Regexp(t, `(?m)(^|\s)`+regexp.QuoteMeta(value)+`(\s|$)`, out)
}

// assertWrapped fails unless text is in out whole, on one line or wrapped
// over several (at a space, or inside a word too long for a line).
func assertWrapped(t *testing.T, out, text string) {
	t.Helper()
	assert.True(t, strings.Contains(out, text) || strings.Contains(strings.ReplaceAll(out, "\n", " "), text) ||
		strings.Contains(strings.ReplaceAll(out, "\n", ""), text), "%q is not shown whole in\n%s", text, out)
}

// `keys list` on a 120-column terminal: names up to the 200 characters a
// key name may have, a revoked key, and a $10,000,000 budget all but spent
// beside a key with no budget. No line wraps, and every key's id, shown
// prefix, name, budget and spend can be read whole.
func TestKeysListFitsA120ColumnTerminalWithTheLongestNames(t *testing.T) {
	s, path := newLogStore(t)
	ctx := context.Background()
	names := []string{
		"ci-pipeline",
		strings.Repeat("nightly batch summary jobs ", 8)[:200], // words: wrapped at a space
		strings.Repeat("payments-reconciliation-", 9)[:200],    // one word: wrapped inside it
		"support-bot-eu-west-production-fallback",
	}
	var keys []store.Key
	for _, n := range names {
		_, k, err := s.CreateKey(ctx, n)
		require.NoError(t, err)
		keys = append(keys, k)
	}
	big, err := s.SetKeyBudget(ctx, keys[1].ID, store.Budget{USD: 10_000_000, Period: store.PeriodTotal})
	require.NoError(t, err)
	keys[1] = big
	_, err = s.RevokeKey(ctx, keys[3].ID)
	require.NoError(t, err)
	s.Log().Record(router.Record{RequestID: "r", Time: time.Now().UTC(), API: "chat.completions", PromptHash: "h",
		KeyID: big.ID, Status: 200, CostUSD: 9_999_999.99})
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "keys", "list", "--db", path)
	require.NoError(t, err)
	assertFits120(t, out)
	for _, k := range keys {
		assertField(t, out, k.ID)
		assertField(t, out, k.Prefix+"…")
		assertWrapped(t, out, k.Name)
	}
	assertField(t, out, "$10000000.00 in total")
	assertField(t, out, "$9999999.99")
	assert.Regexp(t, `revoked \d{4}-\d\d-\d\d \d\d:\d\d:\d\d`, out)
}

// With short names every key keeps one line, its name beside its id.
func TestKeysListKeepsShortNamesOnTheKeysLine(t *testing.T) {
	s, path := newLogStore(t)
	_, k, err := s.CreateKey(context.Background(), "ci-pipeline")
	require.NoError(t, err)
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "keys", "list", "--db", path)
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^ID +PREFIX +NAME +CREATED +STATUS +BUDGET +SPENT\n`+k.ID+` +`+regexp.QuoteMeta(k.Prefix)+`… +ci-pipeline +\S+ \S+ +active +none +-$`, out)
}
