package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server"
	"github.com/modelrouter/modelrouter/server/authlimit"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/server/playground"
	"github.com/modelrouter/modelrouter/server/ratelimit"
	"github.com/modelrouter/modelrouter/server/refusedlog"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/store"
)

func init() {
	register(command{name: "serve", summary: "run the OpenAI-compatible routing gateway", run: runServe})
}

// serveOptions are serve's flags plus the seams tests use.
type serveOptions struct {
	addr        string
	db          string
	requireKeys bool
	keepPrompts bool
	routerModel string
	grace       time.Duration
	maxBody     int64
	// bodyTimeout bounds the silence while a request's body is read; 0 is
	// the server's default.
	bodyTimeout time.Duration
	// minBodyRate is the least average rate, in bytes a second, of a body
	// once bodyRateGrace (0: bodyread's 5 s; tests set it shorter) has
	// passed; 0 sets none.
	minBodyRate   int64
	bodyRateGrace time.Duration
	// keptAliveLinger is keptAliveLinger's value unless set (tests of a
	// loaded machine, whose client may take longer than it to send).
	keptAliveLinger time.Duration
	// callTimeout bounds a call until its answer begins to reach the
	// client (a JSON answer whole); streamIdle a stream's silences from
	// then on (upstream.Forwarder's Deadline and StreamIdle).
	callTimeout time.Duration
	streamIdle  time.Duration
	agentOpenAI bool
	rateLimits  bool
	cuda        bool
	affinityTTL time.Duration
	// keepResponses is how long the Responses answers no provider stores
	// (Claude's, a stateless server's) are kept for continuation; 0 keeps
	// none.
	keepResponses time.Duration
	// keepDecisions is how long decision log rows are kept; 0 keeps
	// them forever.
	keepDecisions time.Duration
	// unhealthyAfter failures in a row make a model be tried last for
	// unhealthyFor (doubling while it keeps failing); 0 turns that off.
	unhealthyAfter int
	unhealthyFor   time.Duration
	// maxHeld bounds, in bytes as estimated, the decision log rows held in
	// memory while the database cannot write them; 0 is the store's
	// default.
	maxHeld int64
	// budgetRefresh, for tests, replaces budget.DefaultRefresh.
	budgetRefresh time.Duration
	// again, for tests, stands in for a second SIGINT or SIGTERM during
	// shutdown.
	again <-chan os.Signal
	// pprof, when set, is a loopback address serving net/http/pprof, for
	// profiling the gateway under load; off by default.
	pprof string
	// allowedHosts lists, comma-separated, the host names besides
	// loopback's that the gateway (with or without keys) and the profiles
	// answer.
	allowedHosts string
	// trustedProxies lists, comma-separated, the reverse proxies (IP
	// addresses, CIDR blocks) whose X-Forwarded-For the admin-key limit
	// reads the client's address from; nothing else reads it.
	trustedProxies string
	// logFormat and logLevel shape the logger runServe makes (newLogger):
	// text or json, debug, info, warn or error.
	logFormat string
	logLevel  string
	// maxConns caps the open client connections; at it a new one takes
	// the place of the one idle the longest, or, none idle, is answered
	// 503 (capConnections); 0 is no cap.
	maxConns int

	// configPath is the config file read (--config or MODELROUTER_CONFIG),
	// "" for none; adminKey, promptHashKey, metricsKey and fileProviders
	// come from it. The environment beats them (resolvedAdminKey,
	// resolvedPromptHashKey, resolvedMetricsKey, mergeProviders).
	configPath    string
	adminKey      secret
	promptHashKey secret
	metricsKey    secret
	fileProviders upstream.Providers
	// fileFailed names the file's fields that could not be read; validate
	// does not report them a second time.
	fileFailed map[string]bool
	// fileVars names the variables the file names as ${VAR} (used even
	// where serve would not read them itself).
	fileVars map[string]bool
	// unreadSettings are the settings validate found serve does not read
	// as given (warnUnreadSettings).
	unreadSettings []unreadSetting
	// configKeysExposed is set when accounts other than the file's owner
	// may read the keys it holds, or change where its keys are sent
	// (warnKeysExposed).
	configKeysExposed *exposedKeys

	// environ replaces os.Environ() (provider configuration, admin key),
	// with the keys read from VAR_FILE files set as VAR; keyFiles names,
	// by VAR, the VAR_FILE each came from, for messages.
	environ  []string
	keyFiles map[string]string
	// predictor, when set, replaces the router model (tests).
	predictor router.Predictor
	// listening, when set, receives the bound address once the server
	// accepts connections.
	listening func(addr string)
	// logger is what serve logs through: runServe's newLogger (--log-format,
	// --log-level), a test's own; slog.Default() when nil.
	logger *slog.Logger
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseServeArgs(args, os.Environ(), stderr)
	if err != nil {
		return err
	}
	// Refusals before this (a bad flag, a bad config file) are plain
	// lines from main; from here on every line is in --log-format.
	o.logger = o.newLogger(stderr)
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
	return serve(ctx, o)
}

// parseServeArgs builds serve's options: defaults, then the config file
// (--config or MODELROUTER_CONFIG), then the flags given on the command
// line; serve lays the environment's providers and admin key over them.
// It returns every invalid setting at once.
func parseServeArgs(args, environ []string, stderr io.Writer) (serveOptions, error) {
	o := serveOptions{environ: environ}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "JSON config file (default $"+EnvConfig+"); flags and the providers' environment variables beat it")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address; a non-loopback address turns on --require-keys")
	fs.StringVar(&o.db, "db", defaultDBPath, "SQLite database (decision log, keys, deployments)")
	fs.BoolVar(&o.requireKeys, "require-keys", false, "demand a client key (made with: modelrouter keys create) on every API call")
	fs.BoolVar(&o.keepPrompts, "keep-prompts", false, "log the routed prompt text, not only its hash")
	fs.StringVar(&o.routerModel, "router-model", "", "directory with router.onnx, tokenizer.json and router.json (default: the embedded model)")
	fs.DurationVar(&o.grace, "grace", 30*time.Second, "on SIGTERM/SIGINT, how long open requests and streams may take to finish; then a stream still open ends with an error event and a request not yet answered gets a 503; a second signal does that at once and exits 130 (SIGINT) or 143 (SIGTERM)")
	fs.Int64Var(&o.maxBody, "max-body", server.DefaultMaxBodyBytes, "largest request body in bytes")
	fs.Int64Var(&o.maxHeld, "max-held-bytes", store.DefaultHeldLimit, "most memory, in bytes as estimated, that decision log rows may take while the database cannot write them (a full disk, or a write lock another process keeps); past it the oldest are dropped and counted as failed")
	fs.DurationVar(&o.bodyTimeout, "body-timeout", server.DefaultBodyTimeout, "how long a request's body may go without arriving (before its first bytes, once its handler reads it, and between two reads); a body silent longer gets 408 and its connection is closed; --min-body-rate ends a slow body sooner, and by default one that has not begun within 5 s")
	fs.Int64Var(&o.minBodyRate, "min-body-rate", server.DefaultMinBodyRate, "least average rate, in bytes a second, at which a request's body must arrive once the gateway has been reading it for 5 s (as ASP.NET Core's Kestrel); a slower body gets 408 and its connection is closed, so a client sending a byte inside every --body-timeout cannot hold a connection for ever; 0 sets no minimum")
	fs.DurationVar(&o.callTimeout, "call-timeout", upstream.DefaultDeadline, "how long a call may take until its answer begins to reach the client, every model tried included: a JSON answer whole, a stream until its first event; a call past it gets 502 (a stream that has begun is bounded by --stream-idle-timeout instead)")
	fs.DurationVar(&o.streamIdle, "stream-idle-timeout", upstream.DefaultStreamIdle, "once a stream's first event has gone out (a streamed read of a background answer: from its start), how long the provider may send nothing of the answer (keep-alives do not count) before the stream is cut with an error event; under the SDKs' 600 s read timeout by default, so a client sees the error event rather than its own timeout; a client that stops reading is cut after it too")
	fs.BoolVar(&o.cuda, "cuda", false, "run the router model on CUDA when ONNX Runtime has it (falls back to CPU)")
	fs.BoolVar(&o.rateLimits, "rate-limits", true, "enforce each deployment's capacity (capacity 10 = 10,000 tokens and 60 requests per minute)")
	fs.DurationVar(&o.affinityTTL, "affinity-ttl", time.Hour, "how long a conversation stays on its first model (session affinity)")
	fs.DurationVar(&o.keepResponses, "keep-responses", 30*24*time.Hour, "how long Responses API answers no provider stores (Claude's, and those of servers that keep none, as Ollama's) are kept so previous_response_id can continue them; 0 keeps none")
	fs.DurationVar(&o.keepDecisions, "keep-decisions", 0, "how long decision log rows are kept: older ones are deleted at start and every hour, except rated ones, and budgets still count what they spent; 0 keeps them forever")
	fs.IntVar(&o.unhealthyAfter, "unhealthy-after", upstream.DefaultHealthThreshold, "failures in a row (connection errors, timeouts, a 429 that gives no Retry-After, 5xx; and at least half of its calls of the last minute) after which a model is tried last, behind every healthy one; 0 turns this off")
	fs.DurationVar(&o.unhealthyFor, "unhealthy-for", upstream.DefaultHealthCooldown, "how long an unhealthy model is tried last before one call at a time tries it again (doubling, up to 5m, while it keeps failing)")
	fs.StringVar(&o.pprof, "pprof", "", "serve Go profiles (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060; off when empty")
	fs.StringVar(&o.allowedHosts, "allowed-hosts", "", "comma-separated host names, besides localhost and loopback addresses, that the gateway and the --pprof server answer (a reverse proxy's), e.g. gateway.internal; other hosts get 403. Without it a gateway needing no key answers only loopback's names, one requiring keys any host")
	fs.StringVar(&o.trustedProxies, "trusted-proxies", "", "comma-separated IP addresses or CIDR blocks of reverse proxies, e.g. 10.0.0.5,10.1.0.0/16; a call from one is counted by the wrong-admin-key limit against the right-most X-Forwarded-For address that is not one of them, so one client behind the proxy cannot lock the others out of the management API and the reports. Nothing else reads the header; by default no proxy is trusted")
	fs.StringVar(&o.logFormat, "log-format", "text", "log line format on stderr: text (key=value) or json (one JSON object a line, for a log shipper)")
	fs.StringVar(&o.logLevel, "log-level", "info", "least severe log lines written: debug (adds a line per routing decision), info, warn or error")
	fs.IntVar(&o.maxConns, "max-connections", 0, "most client connections open at once; a new one at it takes the place of the connection kept alive idle the longest, closed, or, none idle, is answered 503 too_many_connections with Retry-After and closed; 0 is no cap")
	fs.BoolVar(&o.agentOpenAI, "agent-tools-openai-only", true, "route requests with built-in agent tools (web search, file search, ...) only to OpenAI models")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, usagef("serve: unexpected arguments %q", fs.Args())
	}
	// Before the config file, whose ${VAR} may name a key given so.
	environ, keyFiles, err := readSecretFiles(o.environ)
	if err != nil {
		return o, fmt.Errorf("serve: invalid settings:\n%w", err)
	}
	o.environ, o.keyFiles = environ, keyFiles
	fileErr := loadConfigFile(&o, *configPath, fs)
	if fileErr != nil && !errors.As(fileErr, new(fileValuesError)) {
		return o, fmt.Errorf("serve: %w", fileErr)
	}
	catalog, err := models.Catalog()
	if err != nil {
		return o, fmt.Errorf("serve: catalog: %w", err)
	}
	if err := errors.Join(fileErr, o.validate(catalogProviders(catalog))); err != nil {
		return o, fmt.Errorf("serve: invalid settings:\n%w", err)
	}
	return o, nil
}

// serve runs the gateway until ctx ends, then shuts down gracefully: stop
// accepting, let open requests and streams finish within the grace period,
// then close the store so every pending decision row is written.
func serve(ctx context.Context, o serveOptions) (err error) {
	log := o.logger
	if log == nil {
		log = slog.Default()
	}
	// A hangup reloads a --router-model folder. It is caught from the
	// start: one that comes while the model loads (a reload sent right
	// after a restart) would otherwise end the server; it is done once
	// serve serves. Without a folder, a hangup (the terminal closing)
	// still stops the server as it stops any command.
	var hangup chan os.Signal
	if o.routerModel != "" && o.predictor == nil {
		hangup = make(chan os.Signal, 1)
		signal.Notify(hangup, syscall.SIGHUP)
		defer signal.Stop(hangup)
	}
	catalog, err := models.Catalog()
	if err != nil {
		return fmt.Errorf("serve: catalog: %w", err)
	}
	sm, err := loadServedModel(o, catalog, log)
	if err != nil {
		return fmt.Errorf("serve: router model: %w", err)
	}
	defer func() { _ = sm.close() }()
	if own := sm.Current().OwnProfiles; len(own) > 0 {
		log.Info("router model predicts these catalog models with profiles of their own, not their stand-ins", "models", own)
	}
	catalog, pred, bands, modelVersion := sm.routing()
	if ctx.Err() != nil {
		return stoppedBeforeServing(log)
	}

	storeOpts := []store.Option{store.WithLogger(log)}
	if o.maxHeld > 0 {
		storeOpts = append(storeOpts, store.WithHeldLimit(o.maxHeld))
	}
	if err := refuseForeignDatabase(o.db); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	st, err := store.Open(o.db, storeOpts...)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer func() {
		// Last: every handler has returned, so every record is queued.
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("serve: close store: %w", cerr))
		}
	}()

	providers := mergeProviders(o.fileProviders, upstream.FromEnviron(o.environ))
	var health *upstream.Health
	if o.unhealthyAfter > 0 {
		health = &upstream.Health{Threshold: o.unhealthyAfter, Cooldown: o.unhealthyFor,
			MaxCooldown: max(upstream.DefaultHealthMaxCooldown, o.unhealthyFor), Logger: log}
	}
	// A provider's Retry-After is always honoured: it is the provider's
	// word, not a guess.
	backoff := &upstream.Backoff{Logger: log}
	unhealthy := func(m router.Model) string {
		if why := health.Unhealthy(m); why != "" {
			return why
		}
		return backoff.Reason(m)
	}
	rt, err := router.New(router.Config{Catalog: catalog, Predictor: pred, Bands: bands, RouterModel: modelVersion,
		Available: providers.Available, Unhealthy: unhealthy, AffinityTTL: o.affinityTTL})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// The same router blind to provider availability, so /v1/route and the
	// playground show decisions on a machine with no provider configured.
	preview, err := router.New(router.Config{Catalog: catalog, Predictor: pred, Bands: bands, RouterModel: modelVersion, AffinityTTL: o.affinityTTL})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	met := metrics.New()
	sm.attach(met, rt, preview)
	met.WatchDecisionLog(st.Log().Stats)
	if health != nil {
		met.WatchHealth(health.UnhealthyModels)
	}
	met.WatchBackoff(backoff.Models)
	adminKey := o.resolvedAdminKey()
	promptHashKey, _ := o.resolvedPromptHashKey()
	// One limiter for the routes the admin key opens, so guesses at it
	// count against their address wherever they are sent. The API routes
	// have none: client keys are gateway-made and cannot be guessed, and
	// behind a reverse proxy a limit would let one client retrying a
	// revoked key lock every client out.
	proxies, problems := o.proxyBlocks()
	if len(problems) > 0 {
		return fmt.Errorf("serve: %s", strings.Join(problems, "; "))
	}
	metricsKey, _ := o.resolvedMetricsKey()
	authLimit := authlimit.New(authlimit.Config{Logger: log, KnownKey: knownKey(st, adminKey, metricsKey), TrustedProxies: proxies})
	// One log of refused calls for the API routes and the routes the
	// admin key opens alike, so an address has one line a minute however
	// many routes refuse it. Its count of the last minute is written once
	// serving has stopped (deferred here: after the shutdown below).
	refused := refusedlog.New(refusedlog.Config{Logger: log, Count: met.Refused, ClientAddr: authLimit.ClientAddr})
	stopRefusedLog := refused.Start()
	defer stopRefusedLog()
	mgmt := manage.New(manage.Config{Store: st, Catalog: catalog, AdminKey: adminKey, RouterModel: sm, BodyTimeout: o.bodyTimeout,
		MinBodyRate: o.minBodyRate, AuthLimit: authLimit, RefusedLog: refused})
	reports := insights.New(st.Reports(), adminAuthorizer(adminKey))
	reports.AuthLimit, reports.RefusedLog, reports.Logger = authLimit, refused, log

	requireKeys := o.requireKeys || !isLoopback(o.addr)
	var kept server.ResponseStore
	if o.keepResponses > 0 {
		kept = storeResponses{st}
	}
	budgets := budget.New(st, nil)
	if o.budgetRefresh > 0 {
		budgets.Refresh = o.budgetRefresh
	}
	// Before any call: a prune by this or another gateway on the database
	// then splits pruned spend where this one's own count begins. A stop
	// asked for meanwhile must not fail it: it is checked below.
	if err := st.AddBudgetStart(context.WithoutCancel(ctx), budgets.Started()); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// Ended when the grace period runs out: the calls still open end as
	// the gateway's cut (an error event on a stream) before their
	// connections close.
	drainCtx, drain := context.WithCancel(context.Background())
	defer drain()
	// Ended a linger into the shutdown: a call that comes later is
	// refused (503), not begun for the grace's end to cut.
	refuseCtx, refuse := context.WithCancel(context.Background())
	defer refuse()
	var ready atomic.Bool
	var limiter server.Limiter
	if o.rateLimits {
		limiter = ratelimit.New(nil)
	}
	fwd := &upstream.Forwarder{Providers: providers, Health: health, Backoff: backoff, Drain: drainCtx,
		Deadline: o.callTimeout, StreamIdle: o.streamIdle, EstimateTokens: models.EstimateTokens}
	gw := server.New(server.Config{
		Router:               rt,
		PreviewRouter:        preview,
		Forwarder:            fwd,
		Supports:             providers.Supports,
		Drops:                providers.Drops,
		DerivedEffort:        providers.DerivedEffort,
		DefaultOutput:        providers.DefaultOutput,
		Truncates:            providers.Truncates,
		ReadsThinking:        providers.ReadsThinking,
		Available:            providers.Available,
		Deployments:          manage.NewSource(st, catalog),
		Log:                  st.Log(),
		Feedback:             st,
		Responses:            kept,
		Answers:              storeAnswers{st},
		Owners:               st,
		Observer:             met,
		RefusedLog:           refused,
		Limiter:              limiter,
		Keys:                 storeKeys{st},
		Budgets:              budgets,
		RequireKeys:          requireKeys,
		AllowedHosts:         o.hostList(),
		Ready:                ready.Load,
		MaxBodyBytes:         o.maxBody,
		BodyTimeout:          o.bodyTimeout,
		MinBodyRate:          o.minBodyRate,
		MinBodyRateGrace:     o.bodyRateGrace,
		Drain:                drainCtx,
		Refuse:               refuseCtx,
		KeepPromptText:       o.keepPrompts,
		PromptHashKey:        []byte(promptHashKey),
		AgentToolsOpenAIOnly: o.agentOpenAI,
		EstimateTokens:       models.EstimateJoinedTokens,
		Logger:               log,
		Mount: func(e *gin.Engine) {
			e.GET(metrics.Path, gin.WrapH(met.HandlerWithKey(metrics.KeyConfig{Key: metricsKey, AuthLimit: authLimit, RefusedLog: refused})))
			// The paths (/deployments[/{name}]), the older
			// /management prefix the CLI and existing scripts call, and
			// Azure Resource Manager's, where the reference's calls go.
			mgmt.Register(e)
			mgmt.Register(e.Group(manage.MountPath))
			mgmt.RegisterAzure(e)
			reports.Mount(e)
			playground.Mount(e)
		},
	})
	met.WatchKeptAnswers(gw.KeptAnswers)
	defer func() {
		// Once every handler has returned (hs.Shutdown, or gw.Wait after
		// a cut) and before the store closes (deferred above): the kept
		// Responses answers still being written, and the usage and the
		// item ids that reads already answered queued, are written in the
		// database they belong to. FinishKeeping and FinishBookings log
		// what they leave.
		bookCtx, cancelBook := context.WithTimeout(context.Background(), bookingWait)
		defer cancelBook()
		_ = gw.FinishKeeping(bookCtx)
		_ = gw.FinishBookings(bookCtx)
	}()

	if ctx.Err() != nil {
		return stoppedBeforeServing(log)
	}
	bound, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var conns openConns // wired as the server's ConnState below
	ln := newStoppableListener(capConnections(bound, o.maxConns, conns.closeLongestIdle, func(client net.Addr) {
		// No request is read past the cap: the connection's address is
		// all the line and the metric get, and no route.
		refused.Request(&http.Request{RemoteAddr: client.String(), Header: http.Header{}}, capReason, "")
	}))
	if o.pprof != "" {
		// Before anything says or starts serving: a --pprof address in
		// use fails the start whole, the gateway's port released.
		_, stopProfiles, err := serveProfiles(o.pprof, o.hostList(), log)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("serve: --pprof: %w", err)
		}
		defer stopProfiles()
	}
	if kept != nil {
		// Only once serving: a start that fails must not leave a prune
		// running into the store as it closes.
		go prunePeriodically(ctx, log, "kept responses", "keep-responses", o.keepResponses, st.PruneResponses)
	}
	if o.keepDecisions > 0 {
		go prunePeriodically(ctx, log, "decision log rows", "keep-decisions", o.keepDecisions, st.PruneDecisions)
	}
	var closing atomic.Bool // shutting down: every answer closes its connection
	hs := &http.Server{
		// Azure Resource Manager's path is matched in any case, as Azure
		// matches it (manage.FoldAzurePath): gin routes as sent.
		Handler:           closingAfterReply(manage.FoldAzurePath(gw.Handler()), &closing),
		ConnState:         conns.track,
		ReadHeaderTimeout: 10 * time.Second,
		// No write timeout: streamed answers run as long as the model talks.
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    httpErrorLog(log),
	}
	log.Info("modelrouter serving", "addr", ln.Addr().String(), "require_keys", requireKeys,
		"router_model", modelVersion, "router_device", sm.Current().Device, "providers", providers.String(), "db", o.db, "config", o.configPath,
		"prompt_hash", promptHashKind(promptHashKey))
	warnKeysExposed(o, log)
	warnUnusedEnv(o, log)
	warnUnreadSettings(o, log)
	warnReplacedFileEntries(o, log)
	warnShortKey("admin key", adminKey, log)
	warnShortKey("metrics key", metricsKey, log)
	if requireKeys && !o.requireKeys {
		log.Info("client keys required because the address is not loopback; create one with `modelrouter keys create --name NAME`")
	}
	if !requireKeys {
		warnBudgetsNotEnforced(ctx, st, log)
	}

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if hangup != nil {
		go sm.reloadOnSignal(ctx, hangup)
	}
	ready.Store(true)
	if o.listening != nil {
		o.listening(ln.Addr().String())
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	ready.Store(false)
	// Listened for before the shutdown says it began: a second signal
	// from then on is never lost.
	again := o.again
	if again == nil {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(c)
		again = c
	}
	log.Info("shutting down: finishing open requests (a second Ctrl-C cuts them now)", "grace", o.grace)
	// cutNow ends the grace at a second signal; its cause is that signal.
	stopping, cutNow := context.WithCancelCause(context.Background())
	defer cutNow(nil)
	graceCtx, cancel := context.WithTimeout(stopping, o.grace)
	defer cancel()
	go func() {
		select {
		case sig := <-again:
			if stopping.Err() != nil {
				return // the grace is over: the signal has nothing left to cut
			}
			log.Warn("second signal: cutting open requests now, not waiting out the grace period; their decision rows are still written before exit",
				"signal", sig.String())
			cutNow(secondSignal{sig})
		case <-stopping.Done():
		}
	}()
	linger := keptAliveLinger
	if o.keptAliveLinger > 0 {
		linger = o.keptAliveLinger
	}
	stopRefusing := time.AfterFunc(linger, refuse)
	defer stopRefusing.Stop()
	lingerKeptAlive(graceCtx, ln, &closing, &conns, linger)
	// Shutdown only once no call is under way: from Shutdown on, the
	// server closes a connection as soon as its answer ends, under the
	// next call its client may already be sending (an answer begun before
	// the signal could not say Connection: close); the linger keeps it.
	// Nor when the grace ran out with connections still open, none busy:
	// Shutdown would close them at once, and one is open only because its
	// answer ended within the linger, its client's next call maybe on its
	// way; the cut below keeps it for the linger (within drainTime).
	shutErr := graceCtx.Err()
	busy := conns.busy()
	lingering := errors.Is(context.Cause(graceCtx), context.DeadlineExceeded) && !conns.none()
	if !busy && !lingering {
		shutErr = hs.Shutdown(graceCtx)
	}
	// The grace is over, one way or another: a signal from now on cuts
	// nothing, so it neither says it does nor changes the exit status.
	// cut is the signal that ended the grace, if one did before the grace
	// ran out or every request finished.
	cutNow(nil)
	var cut secondSignal
	cutShort := shutErr != nil && errors.As(context.Cause(graceCtx), &cut)
	if shutErr != nil {
		// Grace ran out, or a second signal cut it short: end what is
		// left, so each stream's client gets an error event rather than
		// an answer that just stops, then close the connections of any
		// call that did not end in time.
		if !cutShort && busy {
			log.Warn("grace period over: ending open requests and closing their connections", "err", shutErr)
		}
		drain()
		drainWait, cancelDrainWait := context.WithTimeout(context.Background(), drainTime)
		// The linger again, not gw.Wait: a record is sent before its
		// handler returns, and the answer it ended with (a 503) reaches
		// the connection only after; the linger waits for the connection,
		// and keeps it for a call its client sends next, which gets a 503.
		lingerKeptAlive(drainWait, ln, &closing, &conns, linger)
		_ = hs.Shutdown(drainWait)
		cancelDrainWait()
		_ = hs.Close()
		// Close does not wait for the handlers it cut: their records are
		// still on their way to the log, which closes after this returns.
		waitCtx, cancelWait := context.WithTimeout(context.Background(), recordWait)
		if err := gw.Wait(waitCtx); err != nil {
			log.Warn("cut requests still unfinished: their records may be lost", "waited", recordWait)
		}
		cancelWait()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, errStoppedAccepting) {
		return fmt.Errorf("serve: %w", err)
	}
	if cutShort {
		// Stopped, not finished: a supervisor or script sees the cut.
		return cut.exitStatus()
	}
	return nil
}

// secondSignal is the stop signal that cut a shutdown's grace short.
type secondSignal struct{ sig os.Signal }

func (s secondSignal) Error() string { return "second " + s.sig.String() }

// exitStatus is 128 plus the signal's number, as a shell reports a
// command its signal ended (130 for SIGINT, 143 for SIGTERM).
func (s secondSignal) exitStatus() exitStatus {
	if n, ok := s.sig.(syscall.Signal); ok {
		return exitStatus(128 + int(n))
	}
	return exitStatus(1)
}

// stoppedBeforeServing ends a serve whose stop (SIGTERM, Ctrl-C) came while
// it started, the router model loading most of that time: a stop, as once
// it serves, not a failure that a supervisor would report or restart.
// Nothing was served, so nothing is left to finish.
func stoppedBeforeServing(log *slog.Logger) error {
	log.Info("stopped before serving: a stop signal came while starting")
	return nil
}

// recordWait bounds the wait for the records of requests cut at shutdown.
const recordWait = 5 * time.Second

// bookingWait bounds the wait at shutdown for the kept Responses answers
// still being written (each gives up after 5 s) and the bookings answered
// reads queued (background answers' usage, item ids given to a key): each
// is one statement, which waits busy_timeout (5 s) at most while another
// process holds the lock.
const bookingWait = 10 * time.Second

// drainTime bounds the wait for open calls to end once they are told to
// at shutdown: a stream's error event may take up to a second to reach a
// client that reads (the Forwarder's write grace), one that does not read
// is cut then.
const drainTime = 2 * time.Second

// storeKeys adapts the store's key check to the gateway's Keys seam.
type storeKeys struct{ st *store.Store }

func (k storeKeys) VerifyKey(ctx context.Context, key string) (string, error) {
	found, err := k.st.VerifyKey(ctx, key)
	return found.ID, err
}

// adminAuthorizer accepts the admin key as the management API does
// ("Authorization: Bearer <key>" or "api-key: <key>"). With no admin key it
// is nil: the reports are off, and no key sent there is a wrong one.
func adminAuthorizer(adminKey string) func(*http.Request) bool {
	if manage.TrimAdminKey(adminKey) == "" {
		return nil
	}
	return func(r *http.Request) bool { return manage.IsAdmin(r.Header, adminKey) }
}

// knownKey reports whether a key opens some route of the gateway: the
// admin key, the metrics key, or a client key not revoked. The wrong-key
// limit leaves such a key out when a route refuses it: a client key sent
// to the reports (the playground sends its one key to the API and the
// reports alike), or the admin key sent to /metrics, is no guess.
func knownKey(st *store.Store, adminKey, metricsKey string) func(context.Context, string) bool {
	return func(ctx context.Context, key string) bool {
		if manage.IsAdminKey(key, adminKey) || metrics.IsKey(key, metricsKey) {
			return true
		}
		_, err := st.VerifyKey(ctx, key)
		return err == nil
	}
}

// isLoopback reports whether addr listens on loopback only. ":8080" and
// "0.0.0.0:8080" listen everywhere.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostList is --allowed-hosts as a list: trimmed, without brackets around
// an IPv6 address, empty entries left out.
func (o *serveOptions) hostList() []string {
	var hosts []string
	for _, h := range strings.Split(o.allowedHosts, ",") {
		h = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(h), "["), "]")
		if h != "" {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// proxyBlocks is --trusted-proxies as address blocks, a bare IP address a
// block of its own, IPv4-mapped IPv6 ones as IPv4 (the limiter compares
// addresses so); entries are trimmed and empty ones left out. problems
// describes, for validate, each entry that is no address or block, or
// that trusts every address: then no X-Forwarded-For address could be a
// client, so the setting would do nothing the operator meant.
func (o *serveOptions) proxyBlocks() (blocks []netip.Prefix, problems []string) {
	for _, e := range strings.Split(o.trustedProxies, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		p, err := netip.ParsePrefix(e)
		if a, aerr := netip.ParseAddr(e); aerr == nil {
			p, err = netip.PrefixFrom(a, a.BitLen()), nil
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("trusted_proxies%s: want IP addresses or CIDR blocks, comma-separated, e.g. 10.0.0.5,10.1.0.0/16", shownBlock(e)))
			continue
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		if p.Bits() == 0 {
			problems = append(problems, fmt.Sprintf("trusted_proxies%s: trusts every address, so no client could be told from a proxy; list your reverse proxies' addresses", shownBlock(e)))
			continue
		}
		blocks = append(blocks, p.Masked())
	}
	return blocks, problems
}

// catalogProviders lists the provider names the catalog's models use.
func catalogProviders(cat router.Catalog) []string {
	var names []string
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			if m.Provider != "" && !slices.Contains(names, m.Provider) {
				names = append(names, m.Provider)
			}
		}
	}
	return names
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// serveProfiles serves net/http/pprof on addr (a loopback address) in a
// server of its own, so profiles never share the gateway's routes or keys.
// It needs no key, so like a keyless gateway it answers only loopback's
// host names and allowed ones: a page rebound to 127.0.0.1 could read the
// command line and goroutine dumps otherwise. It returns the address it
// listens on and a function that stops it.
func serveProfiles(addr string, allowed []string, log *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: server.RefuseForeignHost(allowed, mux), ReadHeaderTimeout: 10 * time.Second, ErrorLog: httpErrorLog(log)}
	go func() { _ = hs.Serve(ln) }()
	log.Info("profiles served", "pprof", "http://"+ln.Addr().String()+"/debug/pprof/")
	return ln.Addr().String(), func() { _ = hs.Close() }, nil
}
