package playground_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server"
	"github.com/modelrouter/modelrouter/server/authlimit"
	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/server/playground"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

const adminKey = "admin-secret"

func model(id string, in, out float64) router.Model {
	return router.Model{Format: "OpenAI", Name: id, Version: "1", ID: id, UpstreamModel: id, Provider: "openai",
		Profile: "p-" + id, InputPerMTok: in, OutputPerMTok: out, ContextWindow: 128_000, MaxOutput: 16_000,
		Capabilities: router.Capabilities{Tools: true, StructuredOutput: true}}
}

// The predictions make "mini" the Balanced pick (within 2 % of the best,
// cheaper than "large") and "large" the Quality pick; "nano" is cheapest
// but falls outside the Balanced band.
var prediction = router.Prediction{
	"p-large": {Quality: 0.90, OutputTokens: 300},
	"p-mini":  {Quality: 0.89, OutputTokens: 300},
	"p-nano":  {Quality: 0.70, OutputTokens: 300},
}

type gateway struct {
	url   string
	store *store.Store
	fake  *upstreamtest.Fake
}

// gatewaySetup is what a test may change in the gateway startGateway runs.
type gatewaySetup struct {
	config func(*server.Config)
	// reports wraps the decision log's reports the insight endpoints read.
	reports func(insights.Source) insights.Source
	// upstream wraps the fake provider's handler (to hold its answers).
	upstream func(http.Handler) http.Handler
	// front wraps the gateway's own handler (to cut the page's connection).
	front func(http.Handler) http.Handler
	// noProviders leaves every provider unconfigured, as a fresh install
	// is: calls are refused and decisions come from the preview router.
	noProviders bool
	// authLimit, when set, limits wrong admin keys at the reports.
	authLimit *authlimit.Limiter
}

type gatewayOption func(*gatewaySetup)

// startGateway runs the real gateway on 127.0.0.1 with the playground and
// the insight endpoints mounted, a fake predictor and a fake OpenAI
// provider that answers for every model.
func startGateway(t *testing.T, opts ...gatewayOption) gateway {
	t.Helper()
	var setup gatewaySetup
	for _, o := range opts {
		o(&setup)
	}
	gin.SetMode(gin.TestMode)
	fake := upstreamtest.NewOpenAI(t)
	fake.Set("mini", upstreamtest.Behavior{Reply: "There are infinitely many primes: assume finitely many and multiply them, plus one."})
	fake.Set("large", upstreamtest.Behavior{Reply: "Euclid's proof, in full detail."})
	baseURL := fake.URL
	if setup.upstream != nil {
		front := httptest.NewServer(setup.upstream(upstreamtest.BodiesFromMemory(httputil.NewSingleHostReverseProxy(mustParse(t, fake.Root)))))
		t.Cleanup(front.Close)
		baseURL = front.URL + "/v1"
	}
	providers := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: baseURL, APIKey: "test"},
	}}
	if setup.noProviders {
		providers = upstream.Providers{}
	}
	catalog := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1",
		Models: []router.Model{model("large", 2, 8), model("mini", 0.4, 1.6), model("nano", 0.1, 0.4)}}}}
	rt, err := router.New(router.Config{Catalog: catalog, Predictor: &routertest.Predictor{Fixed: prediction},
		Available: providers.Available})
	require.NoError(t, err)
	// As serve wires it: the same router blind to providers, for the
	// decisions /v1/route shows when none is configured.
	preview, err := router.New(router.Config{Catalog: catalog, Predictor: &routertest.Predictor{Fixed: prediction}})
	require.NoError(t, err)
	st, err := store.Open(filepath.Join(t.TempDir(), "log.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	var reports insights.Source = st.Reports()
	if setup.reports != nil {
		reports = setup.reports(reports)
	}
	admin := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+adminKey }
	ins := insights.New(reports, admin)
	ins.AuthLimit = setup.authLimit
	cfg := server.Config{
		Router: rt, PreviewRouter: preview, Forwarder: &upstream.Forwarder{Providers: providers}, Supports: providers.Supports,
		Available: providers.Available, Log: st.Log(),
		Mount: func(e *gin.Engine) {
			playground.Mount(e)
			ins.Mount(e)
		},
	}
	if setup.config != nil {
		setup.config(&cfg)
	}
	srv := server.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	handler := srv.Handler()
	if setup.front != nil {
		handler = setup.front(handler)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return gateway{url: "http://" + ln.Addr().String(), store: st, fake: fake}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

// chromium returns the browser's path, or skips the test without one.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser and ties it to its context, so it
	// gets none of the per-step deadlines.
	require.NoError(t, chromedp.Do(ctx), "start chromium")
	return ctx
}

// within runs the actions with a deadline, so a broken page fails the test
// instead of hanging it.
func within(t *testing.T, ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	require.NoError(t, chromedp.Do(tctx, steps...))
}

func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	require.NoError(t, err)
	return v
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// Quality 100 makes Chrome encode PNG rather than JPEG.
	png := value(t, ctx, chromedp.FullScreenshot(100))
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

// waitStatus waits until the chat status line leaves its "working" text
// and returns it.
func waitStatus(t *testing.T, ctx context.Context, id string, busy ...string) string {
	t.Helper()
	cond := fmt.Sprintf(`(() => { const s = document.getElementById(%q).textContent; return s !== "" && !%s.includes(s) ? s : false })()`,
		id, jsList(busy))
	return value(t, ctx, chromedp.Poll[string](cond, chromedp.WithPollingInterval(50*time.Millisecond)))
}

func jsList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

// candidateRows reads the candidate table as the user sees it.
func candidateRows(t *testing.T, ctx context.Context) [][]string {
	t.Helper()
	return value(t, ctx, chromedp.Evaluate[[][]string](
		`[...document.querySelectorAll("#candidates tbody tr")].map(tr => [...tr.cells].map(td => td.textContent))`))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return value(t, ctx, chromedp.TextContent(chromedp.CSS(sel)))
}

func TestPlaygroundInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx := browser(t)
	gw := startGateway(t)

	within(t, ctx, 30*time.Second,
		chromedp.Navigate(gw.url+"/"),
		chromedp.WaitReady(chromedp.CSS(`#deployment option[value="model-router"]`)),
		chromedp.WaitReady(chromedp.CSS(`#subset-models input[value="nano"]`)),
		chromedp.SendKeys(chromedp.CSS("#prompt"), "Prove that there are infinitely many primes."),
		chromedp.Click(chromedp.CSS("#send")),
	)

	t.Run("streamed balanced answer shows the chosen model and every candidate", func(t *testing.T) {
		assert.Equal(t, "Done.", waitStatus(t, ctx, "chat-status", "Routing..."))
		assert.Equal(t, "There are infinitely many primes: assume finitely many and multiply them, plus one.", text(t, ctx, "#answer"))
		assert.Equal(t, "mini", text(t, ctx, "#answered-model"))
		assert.Equal(t, "mini", text(t, ctx, "#chosen-model"))
		assert.Equal(t, "balanced", text(t, ctx, "#result-mode"))
		assert.Regexp(t, `^\d+\.\d\d ms$`, text(t, ctx, "#router-latency"))
		assert.Regexp(t, `^[0-9a-f]{32}$`, text(t, ctx, "#request-id"))

		rows := candidateRows(t, ctx)
		require.Len(t, rows, 3)
		// rank, model, profile, quality, expected cost, reason; in failover order.
		assert.Equal(t, []string{"1", "mini", "p-mini", "0.890"}, rows[0][:4])
		assert.Equal(t, []string{"2", "large", "p-large", "0.900"}, rows[1][:4])
		assert.Equal(t, []string{"3", "nano", "p-nano", "0.700"}, rows[2][:4])
		assert.True(t, strings.HasPrefix(rows[0][5], "chosen:"), rows[0][5])
		assert.True(t, strings.HasPrefix(rows[2][5], "lost:"), rows[2][5])
		assert.Regexp(t, `^\$0\.000\d+$`, rows[0][4])
		assert.Equal(t, "chosen", value(t, ctx, chromedp.Evaluate[string](`document.querySelector("#candidates tbody tr").className`)))
		screenshot(t, ctx, "playground-chat.png")
	})

	t.Run("quality mode without streaming picks the best model and sends the conversation", func(t *testing.T) {
		assert.Empty(t, value(t, ctx, chromedp.Value(chromedp.CSS("#prompt"))), "a sent prompt is cleared")
		within(t, ctx, 10*time.Second,
			chromedp.SetValue(chromedp.CSS("#mode"), "quality"),
			chromedp.Click(chromedp.CSS("#stream")),
			chromedp.SendKeys(chromedp.CSS("#prompt"), "Now in full detail."),
			chromedp.Click(chromedp.CSS("#send")),
		)
		assert.Equal(t, "Done.", waitStatus(t, ctx, "chat-status", "Routing..."))
		assert.Equal(t, "large", text(t, ctx, "#answered-model"))
		assert.Equal(t, "Euclid's proof, in full detail.", text(t, ctx, "#answer"))
		assert.Equal(t, []string{"1", "large", "p-large", "0.900"}, candidateRows(t, ctx)[0][:4])

		// The second turn carried the first question and answer.
		reqs := gw.fake.RequestsFor("large")
		require.Len(t, reqs, 1)
		var body struct {
			Messages []struct{ Role, Content string }
		}
		require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
		require.Len(t, body.Messages, 3)
		assert.Equal(t, "Prove that there are infinitely many primes.", body.Messages[0].Content)
		assert.Equal(t, "assistant", body.Messages[1].Role)
		assert.Equal(t, "Now in full detail.", body.Messages[2].Content)
		transcript := value(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#transcript li .who")].map(e => e.textContent)`))
		assert.Equal(t, []string{"you", "mini", "you"}, transcript, "earlier turns show who answered them")
		screenshot(t, ctx, "playground-conversation.png")
	})

	t.Run("a subset narrows the candidates", func(t *testing.T) {
		within(t, ctx, 10*time.Second,
			chromedp.Click(chromedp.CSS("#new-chat")),
			chromedp.SendKeys(chromedp.CSS("#prompt"), "Summarise the proof."),
			chromedp.SetValue(chromedp.CSS("#mode"), ""),
			chromedp.Click(chromedp.CSS(`#subset-models input[value="nano"]`)),
			chromedp.Click(chromedp.CSS("#decide")),
		)
		assert.Equal(t, "Decided.", waitStatus(t, ctx, "chat-status", "Deciding..."))
		rows := candidateRows(t, ctx)
		require.Len(t, rows, 1)
		assert.Equal(t, "nano", rows[0][1])
		assert.Equal(t, "nano", text(t, ctx, "#chosen-model"))
	})

	t.Run("dashboard charts the decision log for an admin", func(t *testing.T) {
		// The gateway logs a request just after its response is sent.
		require.Eventually(t, func() bool { return gw.store.Log().Stats().Recorded >= 3 }, 5*time.Second, 10*time.Millisecond)
		require.NoError(t, gw.store.Log().Flush(context.Background()))
		within(t, ctx, 10*time.Second, chromedp.Click(chromedp.CSS("#tab-dashboard")))
		assert.Contains(t, waitStatus(t, ctx, "dash-status", "Loading..."), "admin key", "without a key the dashboard explains what it needs")

		within(t, ctx, 10*time.Second,
			chromedp.SendKeys(chromedp.CSS("#api-key"), adminKey),
			chromedp.Click(chromedp.CSS("#refresh")),
			chromedp.WaitReady(chromedp.CSS("#chart-distribution rect")),
		)
		assert.Equal(t, "3", text(t, ctx, "#card-requests"), "two answers and one decision")
		// The charts are the traffic sent to each model: the "Decide only"
		// dry run that picked nano sent nothing, so only the table has it.
		models := value(t, ctx, chromedp.Evaluate[[]string](
			`[...new Set([...document.querySelectorAll("#chart-distribution rect")].map(r => r.dataset.model))].sort()`))
		assert.Equal(t, []string{"large", "mini"}, models)
		assert.Equal(t, "large, mini", strings.Join(value(t, ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll("#legend span")].map(s => s.textContent)`)), ", "))
		rows := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#report-table tbody tr").length`))
		assert.Equal(t, 3, rows, "the table counts the dry run under nano")
		screenshot(t, ctx, "playground-dashboard.png")
	})
}
