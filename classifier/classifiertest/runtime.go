// Package classifiertest holds test helpers for code that runs the router
// model through ONNX Runtime.
package classifiertest

import (
	"testing"

	"github.com/modelrouter/modelrouter/classifier"
)

// RequireRuntime loads ONNX Runtime for a test that needs it. The test
// skips only when no library was asked for (no variable, nothing in the
// cache), saying how to get one; it fails on any other error, such as
// ONNXRUNTIME_SHARED_LIBRARY_PATH naming no file (classifier.RuntimeAbsent).
func RequireRuntime(t testing.TB) {
	t.Helper()
	err := classifier.InitRuntime()
	if err == nil {
		return
	}
	if classifier.RuntimeAbsent(err) {
		t.Skipf("ONNX Runtime not available: %v", err)
	}
	t.Fatalf("ONNX Runtime did not load: %v", err)
}
