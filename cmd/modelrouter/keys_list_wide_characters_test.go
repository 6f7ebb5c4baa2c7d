package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// A key named in Japanese takes two terminal columns per character:
// `keys list`, laid out for a 120-column terminal, still has no line wider
// than 120 columns, and shows the name whole. A name under the 32 columns
// kept on a key's line in characters but not in columns, beside a revoked
// key and a budget; 40 characters; and the longest name, 200 characters.
func TestKeysListFitsA120ColumnTerminalWithAJapaneseName(t *testing.T) {
	for _, chars := range []int{30, 40, 200} {
		name := []rune(strings.Repeat("夜間バッチ処理本番環", 20))[:chars]
		t.Run(fmt.Sprintf("%d characters", chars), func(t *testing.T) {
			s, path := newLogStore(t)
			ctx := context.Background()
			_, _, err := s.CreateKey(ctx, string(name))
			require.NoError(t, err)
			_, budgeted, err := s.CreateKey(ctx, "ci-pipeline")
			require.NoError(t, err)
			_, err = s.SetKeyBudget(ctx, budgeted.ID, store.Budget{USD: 250, Period: store.PeriodMonth})
			require.NoError(t, err)
			_, revoked, err := s.CreateKey(ctx, "old-laptop")
			require.NoError(t, err)
			_, err = s.RevokeKey(ctx, revoked.ID)
			require.NoError(t, err)
			require.NoError(t, s.Close())

			out, _, err := runCmd(t, "keys", "list", "--db", path)
			require.NoError(t, err)
			assertFits120(t, out)
			assertWrapped(t, out, string(name))
		})
	}
}

// The columns after a key's name line up on a terminal whatever script the
// names are in: CREATED starts at the same terminal column on the header
// and on every key's line, a short Japanese name padded as wide as it shows.
func TestKeysListLinesUpTheColumnsAfterAJapaneseName(t *testing.T) {
	s, path := newLogStore(t)
	for _, n := range []string{"本番環境", "ci-pipeline"} {
		_, _, err := s.CreateKey(context.Background(), n)
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "keys", "list", "--db", path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, lines, 3, "a header and a line per key:\n%s", out)
	at := func(line string, col *regexp.Regexp) int {
		loc := col.FindStringIndex(line)
		require.NotNil(t, loc, "%q", line)
		return terminalColumns(line[:loc[0]])
	}
	created := at(lines[0], regexp.MustCompile(`CREATED`))
	for _, l := range lines[1:] {
		assert.Equal(t, created, at(l, regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)), "CREATED is not under its header:\n%s", out)
	}
}
