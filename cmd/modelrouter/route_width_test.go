package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// ownProfilesRouterModel stands in for a router model retrained on the
// gateway's own traffic: it has a profile of its own for every catalog
// model (the longest profile names), each predicted with a different
// quality and long answers (large expected costs).
func ownProfilesRouterModel(t *testing.T) {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	pred := router.Prediction{}
	var profiles []string
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			p := models.ProfileName(m.ID)
			if _, ok := pred[p]; !ok {
				profiles = append(profiles, p)
				pred[p] = router.Estimate{Quality: .95 - .01*float64(len(pred)), OutputTokens: 30_000 + 997*float64(len(pred))}
			}
		}
	}
	old := openRouterModel
	openRouterModel = func(string, bool) (routerModel, error) {
		return routerModel{predictor: &routertest.Predictor{Fixed: pred}, profiles: profiles, version: "2026-11-26+fc247f54"}, nil
	}
	t.Cleanup(func() { openRouterModel = old })
}

// `modelrouter route` on a 120-column terminal: every catalog model a
// candidate, each predicted by its own profile, a long prompt (large
// expected costs, some models excluded for their context window) that
// needs tools, in every mode. No line wraps, and every candidate's rank,
// model, profile, quality, answer tokens, expected cost and reason can be
// read whole.
func TestRouteFitsA120ColumnTerminalWithEveryCatalogModel(t *testing.T) {
	ownProfilesRouterModel(t)
	prompt := strings.Repeat("Summarise the attached contract clause by clause. ", 20_000)
	for _, mode := range []string{"balanced", "quality", "cost"} {
		args := []string{"route", "--mode", mode, "--tools", prompt}
		js, _, err := runCmd(t, append(args, "--json")...)
		require.NoError(t, err)
		var d router.Decision
		require.NoError(t, json.Unmarshal([]byte(js), &d))
		require.Greater(t, len(d.Candidates), 20)

		out, _, err := runCmd(t, args...)
		require.NoError(t, err)
		assertFits120(t, out)
		for _, c := range d.Candidates {
			line := rowsStarting(strings.Split(out, "\n"), fmt.Sprintf("%-6s", rankShown(c.Rank))+c.Model+" ")
			require.Len(t, line, 1, "%s in\n%s", c.Model, out)
			for _, cell := range []string{c.Profile, fmt.Sprintf("%.3f", c.Quality), fmt.Sprintf("%.0f", c.OutputTokens),
				fmt.Sprintf("%.6f", c.ExpectedCost)} {
				assertField(t, line[0], cell)
			}
			assertWrapped(t, out, c.Reason)
		}
	}
}

func rankShown(rank int) string {
	if rank == 0 {
		return "-"
	}
	return fmt.Sprint(rank)
}
