package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// --pool takes mean or mean+max; anything else stops before any training.
func TestTrainRejectsAnUnknownPool(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runTrain(context.Background(), []string{"--pool", "max", "--out", t.TempDir()}, &stdout, &stderr)
	require.ErrorContains(t, err, "want mean or mean+max")
	require.Empty(t, stdout.String())
}

// --bias-init takes joint or raw; anything else stops before any training.
func TestTrainRejectsAnUnknownBiasStart(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runTrain(context.Background(), []string{"--bias-init", "zero", "--out", t.TempDir()}, &stdout, &stderr)
	require.ErrorContains(t, err, `want joint or raw, got "zero"`)
	require.Empty(t, stdout.String())
}

// --levels takes DATASET=FILE; anything else stops before any training.
func TestTrainRejectsALeaderboardWithoutItsDataset(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runTrain(context.Background(), []string{"--levels", "board.csv", "--out", t.TempDir()}, &stdout, &stderr)
	require.ErrorContains(t, err, "want DATASET=FILE")
	require.Empty(t, stdout.String())
}
