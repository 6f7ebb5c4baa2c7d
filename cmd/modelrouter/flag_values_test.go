package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// train --seed -1 printed "parse error" between the whole list of train's
// flags, over 80 lines. A value a flag cannot take is now one line that
// names the command, the flag and what the flag takes, exit status 2, for
// the flag package's kinds and the commands' own alike. The seed stays
// unsigned: it seeds a uint64 generator and router.json records it, and
// eval's --holdout-seed reads -1 as "router.json's seed".
func TestABadFlagValueIsOneLineNamingTheFlagAndWhatItTakes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--seed", "-1"}, `train: invalid value "-1" for flag --seed: want a whole number from 0 to 18446744073709551615`},
		{[]string{"train", "--epochs", "two"}, `train: invalid value "two" for flag --epochs: want a whole number`},
		// A whole number too large for the flag is named with the range,
		// not as though it were no whole number.
		{[]string{"train", "--epochs", "99999999999999999999"}, fmt.Sprintf(`train: invalid value "99999999999999999999" for flag --epochs: want a whole number from %d to %d`, math.MinInt, math.MaxInt)},
		{[]string{"add-profile", "--seed", "-99999999999999999999"}, fmt.Sprintf(`add-profile: invalid value "-99999999999999999999" for flag --seed: want a whole number from %d to %d`, math.MinInt64, math.MaxInt64)},
		{[]string{"train", "--leave-one-out=maybe"}, `train: invalid value "maybe" for flag --leave-one-out: want true or false`},
		{[]string{"train", "--bias-init", "warm"}, `train: invalid value "warm" for flag --bias-init: want joint or raw`},
		{[]string{"eval", "--holdout-frac", "a tenth"}, `eval: invalid value "a tenth" for flag --holdout-frac: want a number`},
		{[]string{"report", "--db", "x.db", "--since", "1d", "--format"}, "flag needs an argument"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, &bytes.Buffer{}, &stderr)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.args)
		assert.Equal(t, 2, exitCode(err), "%v: a command line that could not be read", tc.args)
		assert.NotContains(t, err.Error(), "\n", "%v: one line", tc.args)
		if !strings.Contains(tc.want, "needs an argument") {
			assert.Empty(t, stderr.String(), "%v: no list of flags", tc.args)
		}
	}
}

// An unknown flag still lists the command's flags (on stderr), where the
// right name is, and -h lists them as before (on stdout, as asked for).
func TestAnUnknownFlagStillListsTheFlags(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		onStdout bool
	}{{[]string{"train", "--sed", "2"}, false}, {[]string{"train", "-h"}, true}} {
		var stdout, stderr bytes.Buffer
		_ = run(context.Background(), tc.args, &stdout, &stderr)
		got := stderr.String()
		if tc.onStdout {
			got = stdout.String()
		}
		assert.Contains(t, got, "usage: modelrouter train", "%v", tc.args)
		assert.Contains(t, got, "  -seed uint", "%v", tc.args)
	}
}
