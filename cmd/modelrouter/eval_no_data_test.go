package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On a machine without ../shared/data, eval without --data says what to
// pass (and how through make eval) rather than only that the default
// folder is missing.
func TestEvalWithoutDataSaysWhatToPass(t *testing.T) {
	t.Setenv("MODELROUTER_DATA", "")
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), nil, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pass --data DIR")
	assert.Contains(t, err.Error(), "make eval EVAL_FLAGS='--data DIR'")
	assert.Empty(t, stdout.String())
}

// A --data the user typed that does not exist is named as it was given.
func TestEvalNamesAMissingDataFolderItWasGiven(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", "no-such-folder"}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-folder")
	assert.NotContains(t, err.Error(), "default")
}

// A MODELROUTER_DATA folder that does not exist is named as the user's
// setting, not as a built-in default they are told to replace by setting
// that very variable.
func TestEvalNamesAMissingFolderFromMODELROUTER_DATA(t *testing.T) {
	t.Setenv("MODELROUTER_DATA", "no-such-data")
	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), nil, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MODELROUTER_DATA=no-such-data")
	assert.NotContains(t, err.Error(), "default")
	assert.NotContains(t, err.Error(), "or set MODELROUTER_DATA")
}
