package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// train and add-profile read every --data; eval reads one dataset or one
// folder of them. `eval --data A --data B`, as a user of train writes it,
// would evaluate B alone and report nothing of A: it is refused instead,
// naming both, before any work.
func TestEvalRefusesDataGivenTwice(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	stdout, _, err := runCmd(t, "eval", "--data", a, "--data", b)
	assert.ErrorContains(t, err, "--data "+a+" and --data "+b+": eval reads one --data")
	assert.Equal(t, 2, exitCode(err), "a wrong command line")
	assert.Empty(t, stdout)
}
