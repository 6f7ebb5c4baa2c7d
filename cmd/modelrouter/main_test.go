package main

import (
	"os"
	"testing"
)

// runAsModelrouter, set in a child's environment, makes this test binary
// run main, as bin/modelrouter would: a test can then start `modelrouter
// serve` from a copy of it without building the binary (about 15 s of
// go build and link per test run).
const runAsModelrouter = "MODELROUTER_TEST_RUN_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsModelrouter) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
