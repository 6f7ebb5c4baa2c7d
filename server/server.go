// Package server is the HTTP gateway: OpenAI- and Azure-compatible routes
// that parse a request, ask the router which model answers it, forward it
// through the upstream package and log one decision record per request.
//
// Handlers translate; the router decides; upstream speaks to providers.
// Every seam is an interface on [Config] so tests pass fakes.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/bodyread"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/refusedlog"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// Forwarder sends a routed call upstream, failing over in the call's model
// order, and writes the answer (or nothing, on total failure) to w.
// upstream.Forwarder implements it.
type Forwarder interface {
	Forward(ctx context.Context, w http.ResponseWriter, call upstream.Call) upstream.Outcome
}

// Deployments is where deployments come from (the store, or [StaticDeployments]).
// Get returns an ENotFound *router.Error for an unknown name, and an
// EDeploymentPaused one, with the deployment's stored Name (nothing else),
// for a paused deployment.
type Deployments interface {
	Get(ctx context.Context, name string) (router.Deployment, error)
	List(ctx context.Context) ([]router.Deployment, error)
}

// PausedDeployments is Deployments that can also list its paused
// deployments, each as it would serve were it running (manage.Source): a
// call naming a model only they list is then told they are paused, not
// that the model does not exist.
type PausedDeployments interface {
	Paused(ctx context.Context) ([]router.Deployment, error)
	// ResumePath is the path an admin POSTs to resume paused deployment
	// name, which the refusal names in full: whoever reads it sends it
	// as it is.
	ResumePath(name string) string
}

// Observer sees every record after its response is done (metrics).
type Observer interface {
	Observe(router.Record)
}

// Limiter admits calls against a deployment's capacity. settle reports the
// tokens actually used; headers (x-ratelimit-*, Retry-After) go on the
// response whether or not the call is admitted.
type Limiter interface {
	Admit(dep router.Deployment, estTokens int) (settle func(actualTokens int), headers http.Header, ok bool)
}

// Budgets caps what each client key may spend (package budget). Hold
// returns the error a key over its budget gets, what its calls under way
// are expected to cost included; a call it lets in, which began at began
// (its record's time) and is expected to cost estUSD, holds that much of
// the key's budget until spend is called, once, with what it cost.
type Budgets interface {
	Hold(ctx context.Context, keyID string, estUSD float64, began time.Time) (spend func(usd float64), err error)
}

// Keys verifies client API keys. VerifyKey returns the key's id (which
// the decision log records and stored answers belong to), or an
// EUnauthorized or EForbidden *router.Error for a key that must be
// refused; other errors are internal.
type Keys interface {
	VerifyKey(ctx context.Context, key string) (id string, err error)
}

// Config wires a Server. Router, Forwarder and Supports are required for
// forwarding; the rest are optional.
type Config struct {
	Router *router.Router
	// PreviewRouter, optional, is the same router without provider
	// availability: POST /v1/route uses it to still show a decision when
	// no provider is configured.
	PreviewRouter *router.Router
	Forwarder     Forwarder
	// Supports returns why model m cannot serve api with tools of the given
	// types ("" when it can).
	Supports func(m router.Model, api upstream.API, toolTypes ...string) string
	// Drops returns which of params, set in a call of api whose body is
	// raw, do not reach model m as sent (a translation into its provider's
	// API drops or changes them), and why, where the translation can say
	// more (the rule of OpenAI's strict mode a schema breaks); with
	// routing_config.require_parameters they leave m out, and m's reason
	// says why. Nil: every parameter reaches every model.
	Drops func(m router.Model, api upstream.API, raw []byte, params []string) (lost []string, why string)
	// DerivedEffort returns the reasoning effort a translation derives for
	// model m from a call of api whose body is raw (a Messages call's
	// thinking or output_config.effort), "" for none; with
	// routing_config.require_parameters m must take it as it takes a
	// client's own reasoning_effort. Nil: no effort is derived.
	DerivedEffort func(m router.Model, api upstream.API, raw []byte) string
	// DefaultOutput returns the output limit a call of api that sets none
	// reaches model m with (the max_tokens the translation to Claude must
	// send), 0 for none; the router's context-fit filter counts it beside
	// the prompt, and its expected cost caps the predicted output at it.
	// Nil: no model is sent a limit the client did not set.
	DefaultOutput func(m router.Model, api upstream.API) int
	// Truncates reports whether model m's provider cuts the prompt of a
	// call of api that asks for truncation "auto" to fit m's window itself
	// (a Responses call on OpenAI or Azure); for such a call the router's
	// context-fit filter then lets a longer prompt through. Nil: none does.
	Truncates func(m router.Model, api upstream.API) bool
	// ReadsThinking reports whether a Messages call's thinking member
	// reaches model m as sent (its provider speaks the Messages API); the
	// router's expected cost then adds the thinking the call asks m for.
	// Nil: no model reads it.
	ReadsThinking func(m router.Model, api upstream.API) bool
	// Available returns why a model's provider cannot be called right now,
	// for GET /v1/models ("" or nil: available). The router gets the same
	// function through router.Config.Available.
	Available func(router.Model) string

	// Deployments defaults to one `model-router` deployment (Balanced, the
	// latest router version, capacity 10).
	Deployments Deployments
	// Log receives every call's record, but none for a call refused for
	// its key. One that is a [UsageBook] (the store's) also books a
	// background answer's real usage when a read of it by id finds its
	// job over, on the row that logged the estimate, once the read is
	// answered ([Server.FinishBookings] waits for those queued); Budgets
	// that is a [BudgetCorrector] and an Observer that is a
	// [UsageObserver] then count the difference. One that is a
	// [JobEndBook] (the store's) also keeps how such a job ended, which
	// decides whether it has an answer to rate.
	Log router.DecisionLog
	// Feedback, optional, stores clients' ratings (POST /v1/feedback).
	Feedback FeedbackStore
	// Responses, optional, keeps the Responses API answers no provider
	// stores (Claude's, translated), so previous_response_id can continue
	// them on any model.
	Responses ResponseStore
	// Answers, optional, says which model wrote a Responses answer (the
	// decision log): GET and DELETE /v1/responses/{id} reach that model's
	// provider, and a continuation its model, also after a restart. This
	// process's recent answers are known without it.
	Answers AnswerLog
	// Owners, optional, records which client key was given each id of
	// state a provider stores (an answer's output items, a conversation),
	// so another key's item_reference or conversation is refused, also
	// after a restart; the decision log's rows carry a call's ids to it
	// (router.Record.OwnedIDs), and a read of a stored answer's once the
	// read is answered ([Server.FinishBookings] waits for those queued).
	// This process's recent ones are known without it.
	Owners   IDOwners
	Observer Observer
	// RefusedLog counts the requests refused before serving them (a
	// foreign Host, a cross-site browser request, a missing or wrong
	// client key) in the metric and notes them in the server log, at most
	// a line a minute per client address: such a request decided nothing,
	// so it has no record for the Observer. serve shares it with the
	// routes the admin key opens. Default: a log to Logger that counts
	// nothing.
	RefusedLog *refusedlog.Log
	Limiter    Limiter
	Keys       Keys
	// Budgets, optional, refuses calls with a key whose budget is spent.
	Budgets Budgets
	// RequireKeys makes every API route demand a key Keys accepts.
	RequireKeys bool
	// AllowedHosts are the host names, besides localhost and loopback IP
	// addresses, that the gateway answers (a reverse proxy's public name);
	// any other Host is refused with 403. A gateway needing no key checks
	// Host always; with RequireKeys it checks only when AllowedHosts names
	// some, and answers any Host otherwise.
	AllowedHosts []string
	// Ready gates /readyz; nil means always ready.
	Ready func() bool
	// MaxBodyBytes caps request bodies (default 20 MiB).
	MaxBodyBytes int64
	// BodyTimeout bounds the silence while a request's body is read: the
	// time before its first bytes, once its handler starts to read it, and
	// between two reads that return data (default 60 s). A body that
	// pauses longer is answered 408 and its connection closed; one that
	// keeps arriving may take as long as it needs.
	BodyTimeout time.Duration
	// MinBodyRate, when positive, is the least average rate, in bytes a
	// second, at which a request's body must arrive once its read has gone
	// on for a grace period (5 s, bodyread.DefaultGrace); a body slower
	// than that is answered 408 and its connection closed, as a silent one
	// is. 0 sets no minimum (serve's --min-body-rate is 240 by default).
	MinBodyRate int64
	// MinBodyRateGrace, when set, replaces that grace period; only tests
	// set it, to keep short.
	MinBodyRateGrace time.Duration
	// Drain, when set, ends the body reads of the calls still open once it
	// is done (a shutdown whose grace ran out): they are answered 503
	// server_shutting_down, as the Forwarder's Drain answers the calls it
	// ends before their answer began.
	Drain context.Context
	// Refuse, when set, turns away the calls whose body read begins once
	// it is done (a shutdown past its first second): they are answered
	// 503 server_shutting_down without reaching a model, so their client
	// retries at another gateway rather than begin an answer the grace's
	// end would cut. The calls under way go on, and so do the routes that
	// read no call's body (a read by id, streamed or not; the model list),
	// which begin no model's answer.
	Refuse context.Context
	// KeepPromptText logs the routed text itself, not only its hash.
	KeepPromptText bool
	// PromptHashKey, when set, makes the logged prompt hash HMAC-SHA256
	// under it rather than a plain SHA-256 (router.HashPrompt).
	PromptHashKey []byte
	// AgentToolsOpenAIOnly limits requests with built-in agent tools
	// (web search, file search, ...) to OpenAI models.
	AgentToolsOpenAIOnly bool
	// EstimateTokens counts the tokens of the texts a request's model reads,
	// as those of the texts joined by newlines, without joining them (serve
	// uses models.EstimateJoinedTokens); default [EstimateTokensByChars].
	// ImageTokens are added per image (default 765, a high-detail 512x512
	// tile set); PageTokens per estimated page of a PDF (default 2,000, a
	// round figure below published counts for a page of text on Claude,
	// which bills its text and an image of the page).
	EstimateTokens func(texts []string) int
	ImageTokens    int
	PageTokens     int
	// Mount adds routes (metrics, playground, management API). Use
	// [Server.Authenticate] on groups that need client keys.
	Mount  func(*gin.Engine)
	Logger *slog.Logger

	// keptLimits shortens the bounds on kept answers' writes in tests
	// (zero: the defaults, see keptLimits).
	keptLimits keptLimits
}

// Server is the gateway. Build it with [New]; it is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	engine  *gin.Engine
	deploys Deployments
	// recent remembers who wrote this process's recent Responses answers;
	// threads which model holds each recent message thread answer; owned
	// which key recent ids were given to (owned.go).
	recent, threads, owned recentAnswers
	// inFlight counts API requests whose record is not yet sent (Wait).
	inFlight sync.WaitGroup
	// books writes background answers' usage and the item ids reads
	// gave their keys after those reads are answered (FinishBookings).
	books bookings
	// keeping writes the kept Responses answers, which lookups by id
	// wait for (kept_writes.go).
	keeping *keptWrites
}

// DefaultMaxBodyBytes is the body cap when Config.MaxBodyBytes is 0:
// room for a few base64 images.
const DefaultMaxBodyBytes = 20 << 20

// DefaultBodyTimeout is the bound on a body's silence when
// Config.BodyTimeout is 0.
const DefaultBodyTimeout = bodyread.DefaultTimeout

// DefaultMinBodyRate is serve's --min-body-rate unless set: 240 bytes a
// second, Kestrel's MinRequestBodyDataRate. An honest client on a slow
// link sends far more (a 1 MB body at 10 KB/s is 40 times it).
const DefaultMinBodyRate = 240

// New builds the server and its routes.
func New(cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.EstimateTokens == nil {
		cfg.EstimateTokens = EstimateTokensByChars
	}
	if cfg.ImageTokens == 0 {
		cfg.ImageTokens = 765
	}
	if cfg.PageTokens == 0 {
		cfg.PageTokens = 2000
	}
	if cfg.Supports == nil {
		cfg.Supports = func(router.Model, upstream.API, ...string) string { return "" }
	}
	if cfg.RequireKeys && cfg.Keys == nil {
		cfg.Logger.Error("server: keys are required but no key store is configured; every API call will fail")
	}
	if cfg.RefusedLog == nil {
		cfg.RefusedLog = refusedlog.New(refusedlog.Config{Logger: cfg.Logger})
	}
	s := &Server{cfg: cfg, log: cfg.Logger, deploys: cfg.Deployments}
	s.keeping = newKeptWrites(cfg.keptLimits, func(ctx context.Context, r StoredResponse) error {
		return s.cfg.Responses.PutResponse(ctx, r)
	}, s.warnNotKept)
	if s.deploys == nil {
		latest := ""
		if cfg.Router != nil {
			latest = cfg.Router.Catalog().Latest
		}
		s.deploys = StaticDeployments{DefaultDeployment(latest)}
	}
	s.engine = s.routes()
	return s
}

// Handler returns the HTTP handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

func (s *Server) routes() *gin.Engine {
	e := gin.New()
	e.ContextWithFallback = true
	// Paths are matched as sent. gin would otherwise answer a path that
	// differs by a trailing slash (or, with RedirectFixedPath, by case) with
	// a redirect, before any middleware: no request id, Host check or log,
	// a 307 that has the client send its prompt again, and a Location from
	// the path gin saw, which behind a proxy that rewrites the path points
	// elsewhere. Such a path gets the 404 below, in the API's error shape
	// and naming the path, as OpenAI's API answers a path it does not serve.
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	// The outer recover covers mounted routes; API routes have their own
	// inside the record (below).
	e.Use(endUnreadBody, s.requestID, s.logHandlerErrors, s.recover, s.refuseForeignHost, s.refuseCrossSite)
	e.NoRoute(func(c *gin.Context) {
		s.writeError(c, router.Errorf(router.ENotFound, "no route for %s %s", c.Request.Method, c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		// gin has set Allow.
		s.writeError(c, router.Errorf(router.EMethod, "method %s not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})
	e.HandleMethodNotAllowed = true
	// HEAD too: uptime monitors check with it, and HTTP has every server
	// answer HEAD where it answers GET (net/http drops the body).
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		e.Handle(method, "/healthz", s.healthz)
		e.Handle(method, "/readyz", s.readyz)
	}

	// API routes: the record wraps everything after the key check (so a
	// panic is logged too), recover sits inside it so the record sees the
	// 500. A call refused for its key decided nothing and is left out:
	// anyone who reaches the port could otherwise fill the log (refuse).
	call := func(api openai.API, h gin.HandlerFunc) []gin.HandlerFunc {
		return []gin.HandlerFunc{s.Authenticate(), s.record(api), s.recover, h}
	}
	// The Responses API and the model list, on /v1 and on the paths of
	// Azure OpenAI's clients alike.
	responsesAndModels := func(g *gin.RouterGroup) {
		g.POST("/responses", call(openai.Responses, s.proxy(openai.Responses))...)
		g.GET("/responses/:id", s.recover, s.Authenticate(), s.storedAnswer(readAnswer))
		g.DELETE("/responses/:id", s.recover, s.Authenticate(), s.storedAnswer(deleteAnswer))
		g.POST("/responses/:id/cancel", s.recover, s.Authenticate(), s.storedAnswer(cancelAnswer))
		g.GET("/responses/:id/input_items", s.recover, s.Authenticate(), s.storedAnswer(listInputItems))
		g.GET("/models", s.recover, s.Authenticate(), s.models)
		g.GET("/models/:id", s.recover, s.Authenticate(), s.model)
	}
	for _, prefix := range []string{"/v1", "/openai/v1"} {
		g := e.Group(prefix)
		g.POST("/chat/completions", call(openai.Chat, s.proxy(openai.Chat))...)
		responsesAndModels(g)
		for path, api := range routePaths {
			g.POST(path, call(apiRoute, s.route(api))...)
		}
		g.POST("/feedback", s.recover, s.Authenticate(), s.feedback)
	}
	e.GET("/anthropic/v1/models", s.recover, s.Authenticate(), s.models)
	e.GET("/anthropic/v1/models/:id", s.recover, s.Authenticate(), s.model)
	for _, path := range messagesPaths {
		e.POST(path, call(openai.Messages, s.proxy(openai.Messages))...)
		e.POST(path+"/count_tokens", s.recover, s.Authenticate(), s.countTokens)
	}
	// Azure OpenAI data-plane paths: the deployment is in the path and
	// api-version in the query (accepted, not interpreted).
	az := e.Group("/openai/deployments/:deployment")
	az.POST("/chat/completions", call(openai.Chat, s.proxy(openai.Chat))...)
	az.POST("/responses", call(openai.Responses, s.proxy(openai.Responses))...)
	// Their dry runs (an extension, as /v1/route is: Azure has none): the
	// deployment is the path's, as on the calls above, which route among
	// its models whatever the body's model says, where /v1/route reads
	// the body's (a model's id there pins the call to that model, and a
	// body without one is refused).
	for path, api := range azureRoutePaths {
		az.POST(path, call(apiRoute, s.route(api))...)
	}
	// Azure's clients (openai-go's azure.WithEndpoint, openai-python's
	// AzureOpenAI) put the deployment in the path only for Chat
	// Completions and the like: the Responses API and the model list go
	// to /openai/<route>?api-version=..., the deployment as `model` in
	// the body, as on /v1.
	responsesAndModels(e.Group("/openai"))
	// Foundry's project SDKs (azure-ai-projects' get_openai_client, which
	// the reference calls the router with) send the OpenAI API under the
	// project endpoint, {endpoint}/api/projects/{project}/openai/v1. One
	// gateway is one project: the project is not checked. Only the
	// OpenAI API's routes: the dry runs and feedback, the gateway's own,
	// stay on /v1 and /openai/v1.
	project := e.Group("/api/projects/:project/openai/v1")
	project.POST("/chat/completions", call(openai.Chat, s.proxy(openai.Chat))...)
	responsesAndModels(project)

	if s.cfg.Mount != nil {
		s.cfg.Mount(e)
	}
	return e
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	if s.cfg.Ready != nil && !s.cfg.Ready() {
		s.writeError(c, router.Errorf(router.EUnavailable, "not ready"))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
