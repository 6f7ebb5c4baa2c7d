package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

func TestModelsCommand(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	tests := []struct {
		args    []string
		version string
		wantErr string
	}{
		{args: nil, version: cat.Latest},
		{args: []string{"--version", "2025-05-19"}, version: "2025-05-19"},
		{args: []string{"--version", "2024-01-01"}, wantErr: `unknown router version "2024-01-01"; versions: 2025-11-18, 2025-08-07, 2025-05-19`},
		{args: []string{"extra"}, wantErr: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"models"}, tt.args...), &out, &errOut)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			v, err := catalogVersion(cat, tt.version)
			require.NoError(t, err)
			lines := strings.Split(out.String(), "\n")
			require.Contains(t, lines[0], tt.version)
			for _, m := range v.Models {
				rows := modelRows(t, out.String(), m)
				for _, cell := range []string{m.Version, m.Provider, price(m.InputPerMTok), price(m.OutputPerMTok)} {
					assert.Contains(t, rows[0], " "+cell+" ", "%s row", m.ID)
				}
				assert.Contains(t, rows[1]+" ", " "+m.Profile+" ", "%s row", m.ID)
			}
		})
	}
}

// modelRows are m's row in each of the models tables: the first starts
// with its name, the second with its ID.
func modelRows(t *testing.T, out string, m router.Model) [2]string {
	t.Helper()
	tables := strings.Split(out, "\n\n")
	require.GreaterOrEqual(t, len(tables), 3, "a title and two tables:\n%s", out)
	first := rowsStarting(strings.Split(tables[1], "\n"), m.Name+" ")
	second := rowsStarting(strings.Split(tables[2], "\n"), m.ID+" ")
	require.Len(t, first, 1, "a row for %s in the first table", m.ID)
	require.Len(t, second, 1, "a row for %s in the second table", m.ID)
	return [2]string{first[0], second[0]}
}

// rowsStarting are the lines that start with prefix: a model's row in each
// of the models tables.
func rowsStarting(lines []string, prefix string) []string {
	var rows []string
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			rows = append(rows, l)
		}
	}
	return rows
}

func TestTokensShort(t *testing.T) {
	for n, want := range map[int]string{128000: "128K", 131072: "128K", 163840: "160K", 1047576: "1.05M", 1000000: "1M", 16384: "16K", 200000: "200K", 512: "512"} {
		assert.Equal(t, want, tokens(n), "%d", n)
	}
}
