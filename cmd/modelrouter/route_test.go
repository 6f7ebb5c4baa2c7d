package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

func TestRouteRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no prompt"},
		{[]string{"  "}, "no prompt"},
		{[]string{"--mode", "fastest", "hello"}, "fastest"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"route"}, tc.args...), &out, &errOut)
		require.ErrorContains(t, err, tc.want)
	}
}

// TestRouteWithTheEmbeddedModel routes with the real model and catalog.
func TestRouteWithTheEmbeddedModel(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"route", "--json", "--mode", "quality", "Prove that the square root of 2 is irrational."}, &out, &errOut)
	require.NoError(t, err, errOut.String())
	var d router.Decision
	require.NoError(t, json.Unmarshal(out.Bytes(), &d))
	require.Equal(t, router.ModeQuality, d.Mode)
	require.NotEmpty(t, d.ChosenID)
	chosen := 0
	for _, c := range d.Candidates {
		if c.Rank == 1 {
			chosen++
			require.Equal(t, d.ChosenID, c.Model)
			require.InDelta(t, d.BestQuality, c.Quality, 1e-9, "quality mode picks the best predicted quality")
		}
	}
	require.Equal(t, 1, chosen)

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"route", "hi there"}, &out, &errOut))
	require.Contains(t, out.String(), "chosen: ")
	require.Contains(t, out.String(), "RANK")
}

// A subset from --models that cannot serve the prompt is named as the
// flag, not as a routing_config the command line has none of.
func TestRouteNamesItsModelsFlagWhenNoneOfThemCanServe(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	classifiertest.RequireRuntime(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"route", "--tools", "--models", "gpt-5-chat-2025-08-07", "Call the weather tool."}, &out, &errOut)
	require.ErrorContains(t, err, "no model in --models can serve this request: gpt-5-chat-2025-08-07 (no tool support)")
}
