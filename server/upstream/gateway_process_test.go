package upstream_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// processGateway is a gateway running in a process of its own (this test
// binary again, in TestGatewayProcessHelper) whose environment trusts
// the fake providers' certificate through SSL_CERT_FILE, as an operator
// trusts a provider's private CA. A process of its own, because Go reads
// the trusted roots once per process; and the Forwarder's own client
// makes the calls (Forwarder.Client nil), as in `serve`: the test changes
// nothing of its transport.
type processGateway struct {
	// OpenAI forwards Chat Completions calls to model-a, then model-b
	// (OpenAI's); Anthropic to claude-a (Anthropic's). Both are base
	// URLs, as an SDK takes them.
	OpenAI, Anthropic string
}

const gatewayProcessEnv = "MODELROUTER_TEST_GATEWAY_PROCESS"

// startProcessGateway runs a gateway process in front of the TLS fakes
// o and a; it stops when the test ends.
func startProcessGateway(t *testing.T, o, a *upstreamtest.Fake) processGateway {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "providers.pem")
	require.NoError(t, os.WriteFile(ca, append(o.CertPEM(), a.CertPEM()...), 0o600))

	cmd := exec.Command(os.Args[0], "-test.run=^TestGatewayProcessHelper$")
	cmd.Env = append(envWithout(os.Environ(), "OPENAI_", "ANTHROPIC_", "AZURE_", "MODELROUTER_", "SSL_CERT_"),
		gatewayProcessEnv+"=1", "SSL_CERT_FILE="+ca,
		"OPENAI_BASE_URL="+o.URL, "OPENAI_API_KEY="+o.Key,
		"ANTHROPIC_BASE_URL="+a.Root, "ANTHROPIC_API_KEY="+a.Key)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = stdin.Close() // the helper's signal to stop
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("gateway process: %v", err)
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("gateway process did not stop within 20s")
		}
	})

	urls := make(chan processGateway, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "gateway" {
				urls <- processGateway{OpenAI: f[1], Anthropic: f[2]}
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case g := <-urls:
		return g
	case <-time.After(30 * time.Second):
		t.Fatal("gateway process did not start within 30s")
	}
	return processGateway{}
}

// TestGatewayProcessHelper is the gateway process of startProcessGateway;
// run any other way it does nothing.
func TestGatewayProcessHelper(t *testing.T) {
	if os.Getenv(gatewayProcessEnv) != "1" {
		t.Skip("runs as the gateway process of startProcessGateway")
	}
	fwd := &upstream.Forwarder{Providers: upstream.FromEnv(os.Getenv), AttemptTimeout: 5 * time.Second, Deadline: 20 * time.Second}
	o := newGateway(t, fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))
	a := newGateway(t, fwd, upstream.APIChatCompletions, anthropicModel("claude-a"))
	for _, g := range []*gateway{o, a} {
		go func() {
			for range g.outcomes { // nobody here reads them
			}
		}()
	}
	os.Stdout.WriteString("gateway " + o.URL + " " + a.URL + "\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// envWithout is environ without the variables whose names start with any
// of prefixes.
func envWithout(environ []string, prefixes ...string) []string {
	var out []string
	for _, kv := range environ {
		keep := true
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
