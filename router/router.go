package router

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Config wires a Router. Catalog and Predictor are required.
type Config struct {
	Catalog   Catalog
	Predictor Predictor
	Bands     Bands
	// RouterModel names the router model behind Predictor (its version);
	// every decision carries it for the decision log.
	RouterModel string
	// Available reports why a model cannot be called right now ("" when it
	// can): its provider is not configured, ...
	Available func(Model) string
	// Unhealthy, optional, reports why a model should be tried last ("" when
	// it is healthy): its provider keeps failing, or asked to be left alone
	// for a while (a 429's Retry-After). Such a model stays a
	// candidate, after every healthy one, so a deployment whose models
	// all fail still tries them.
	Unhealthy func(Model) string
	// AffinityTTL is how long a conversation stays on its first model
	// (default 1 hour).
	AffinityTTL time.Duration
	// AffinityMax is the most sessions kept at once (default 100,000);
	// a new session past it pushes out the least recently used.
	AffinityMax int
	Now         func() time.Time
}

// Router decides which model answers a request.
type Router struct {
	cfg      Config // Available, AffinityTTL, Now; the rest lives in model
	model    atomic.Pointer[routerModel]
	affinity *affinity
}

// routerModel is what one router model brings to decisions, swapped whole
// by Reload: its predictor, the catalog with the profile that predicts
// each model (a new router model may predict a model with a profile of its
// own), and the bands calibrated with it.
type routerModel struct {
	catalog  Catalog
	versions map[string]Version
	pred     Predictor
	bands    Bands
	name     string
}

func newRouterModel(cat Catalog, pred Predictor, bands Bands, name string) (*routerModel, error) {
	if pred == nil {
		return nil, fmt.Errorf("router: no predictor")
	}
	if len(cat.Versions) == 0 {
		return nil, fmt.Errorf("router: empty catalog")
	}
	if bands == (Bands{}) {
		bands = DefaultBands
	}
	for _, b := range []struct {
		mode Mode
		band float64
	}{{ModeBalanced, bands.Balanced}, {ModeCost, bands.Cost}} {
		// Below 0 not even the best model is in the band; above 1 the
		// threshold is below 0.
		if !(b.band >= 0 && b.band <= 1) {
			return nil, fmt.Errorf("router: %s band %v is outside [0, 1]", b.mode, b.band)
		}
	}
	m := &routerModel{catalog: cat, versions: map[string]Version{}, pred: pred, bands: bands, name: name}
	for _, v := range cat.Versions {
		m.versions[v.Version] = v
	}
	if _, ok := m.versions[cat.Latest]; !ok {
		return nil, fmt.Errorf("router: latest version %q not in catalog", cat.Latest)
	}
	return m, nil
}

// New checks the configuration and builds a Router.
func New(cfg Config) (*Router, error) {
	m, err := newRouterModel(cfg.Catalog, cfg.Predictor, cfg.Bands, cfg.RouterModel)
	if err != nil {
		return nil, err
	}
	if cfg.Available == nil {
		cfg.Available = func(Model) string { return "" }
	}
	if cfg.AffinityTTL == 0 {
		cfg.AffinityTTL = time.Hour
	}
	if cfg.AffinityMax <= 0 {
		cfg.AffinityMax = 100_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Router{cfg: Config{Available: cfg.Available, Unhealthy: cfg.Unhealthy, AffinityTTL: cfg.AffinityTTL, Now: cfg.Now},
		affinity: newAffinity(cfg.AffinityTTL, cfg.AffinityMax)}
	r.model.Store(m)
	return r, nil
}

// Reload switches the router to another router model: its predictor, the
// catalog as it predicts it and its bands, checked as New checks them (an
// error changes nothing). A decision already running finishes with the
// old model, or, if its prediction fails once the old model is replaced
// (its owner may close it as soon as Reload returns), is made again by
// the new one; session pins are kept.
func (r *Router) Reload(cat Catalog, pred Predictor, bands Bands, routerModel string) error {
	m, err := newRouterModel(cat, pred, bands, routerModel)
	if err != nil {
		return err
	}
	r.model.Store(m)
	return nil
}

// Catalog returns the catalog the router routes over.
func (r *Router) Catalog() Catalog { return r.model.Load().catalog }

// Bands returns the mode bands in force.
func (r *Router) Bands() Bands { return r.model.Load().bands }

// RouterModel names the router model in use (Config.RouterModel).
func (r *Router) RouterModel() string { return r.model.Load().name }

// Version returns a router version's model set; "" means the latest.
func (r *Router) Version(v string) (Version, bool) {
	return r.model.Load().version(v)
}

func (m *routerModel) version(v string) (Version, bool) {
	if v == "" {
		v = m.catalog.Latest
	}
	ver, ok := m.versions[v]
	return ver, ok
}

// Candidates returns the models a deployment routes over: its subset, or
// the full set of its router version, less those it leaves out
// (Deployment.LeftOut).
func (r *Router) Candidates(dep Deployment) ([]Model, error) {
	return r.model.Load().candidates(dep, false)
}

// LeftOutCandidates returns the models dep leaves out (Deployment.LeftOut)
// as a decision shows them: excluded with their reason, in their
// version's order. A refusal made before Decide (no model left for what
// the request needs of the models' APIs) shows them as Decide would.
func (r *Router) LeftOutCandidates(dep Deployment) []Candidate {
	if len(dep.LeftOut) == 0 {
		return nil
	}
	ver, _ := r.model.Load().version(dep.RouterVersion)
	var out []Candidate
	for _, m := range ver.Models {
		if why := dep.leftOut(m.ID); why != "" {
			out = append(out, Candidate{Model: m.ID, Profile: m.Profile, Reason: "excluded: " + why, LeftOut: true})
		}
	}
	return out
}

// candidates returns dep's models in their version's order; withLeftOut
// adds those dep leaves out, which a decision shows as excluded.
func (rm *routerModel) candidates(dep Deployment, withLeftOut bool) ([]Model, error) {
	ver, ok := rm.version(dep.RouterVersion)
	if !ok {
		return nil, Errorf(EInvalid, "unknown router version %q", dep.RouterVersion)
	}
	if len(dep.Models) == 0 && len(dep.LeftOut) == 0 {
		return ver.Models, nil
	}
	size := len(ver.Models) // sized once: this runs on every request
	if len(dep.Models) > 0 {
		size = len(dep.Models) + len(dep.LeftOut)
	}
	out := make([]Model, 0, size)
	for _, m := range ver.Models {
		switch {
		case dep.leftOut(m.ID) != "":
			if withLeftOut {
				out = append(out, m)
			}
		case len(dep.Models) == 0 || slices.Contains(dep.Models, m.ID):
			out = append(out, m)
		}
	}
	return out, nil
}

// Decide filters the deployment's candidates for the request, asks the
// predictor for their quality and answer length, applies the mode and
// returns the ranked decision.
//
// Returns EInvalid for a bad mode or a subset outside the deployment,
// ENoEligible when every candidate is filtered out (Detail lists why),
// ENotConfigured when some candidate could serve the request but its
// provider is not configured (configuring it is the fix),
// ERouterModelUnavailable when the router model gave no usable prediction
// for any candidate left.
func (r *Router) Decide(ctx context.Context, dep Deployment, req Request) (Decision, error) {
	start := r.cfg.Now()
	for {
		// One router model for the whole decision: a decision whose model
		// was replaced, and closed, before it predicted starts again.
		d, err := r.decide(ctx, r.model.Load(), dep, req, start)
		if !errors.Is(err, errReplaced) {
			return d, err
		}
	}
}

// errReplaced is decide's answer when its router model failed to predict
// after Reload replaced it: the decision is to be made by the new one.
var errReplaced = errors.New("router model replaced")

func (r *Router) decide(ctx context.Context, rm *routerModel, dep Deployment, req Request, start time.Time) (Decision, error) {
	d := rm.header(dep, req)
	mode, err := ParseMode(string(d.Mode))
	if err != nil {
		// The gateway parses modes before it gets here; a direct caller
		// with a mode of its own would otherwise route as Quality (band 0).
		var e *Error
		if errors.As(err, &e) && req.Mode != "" {
			e.Param = "routing_config.mode"
		}
		d.Mode = ""
		return d, err
	}
	d.Mode = mode
	models, err := rm.candidates(dep, true)
	if err != nil {
		return d, err
	}
	models, err = narrow(models, req.Models, dep)
	if err != nil {
		return d, err
	}

	eligible := make([]int, 0, len(models))
	if len(models) > 0 {
		d.Candidates = make([]Candidate, 0, len(models))
	}
	// A model that could serve the request but for its provider's settings
	// makes "configure the provider" the fix (503 naming the settings),
	// even when other models are excluded for what the request needs.
	someUnavailable, allTooLong, leftOut := false, true, 0
	for _, m := range models {
		c := Candidate{Model: m.ID, Profile: m.Profile}
		if why := dep.leftOut(m.ID); why != "" {
			// The deployment's reason, not the request's: it neither
			// makes nor unmakes the reason a refusal gives.
			c.Reason, c.LeftOut = "excluded: "+why, true
			leftOut++
		} else if why := excluded(m, req.Needs); why != "" {
			c.Reason = why
			allTooLong = allTooLong && why == tooLong(m, req.Needs)
		} else if why := r.cfg.Available(m); why != "" {
			c.Reason = why
			someUnavailable = true
		} else {
			c.Eligible = true
			eligible = append(eligible, len(d.Candidates))
		}
		d.Candidates = append(d.Candidates, c)
	}
	if len(eligible) == 0 {
		code, msg, reason := ENoEligible, "no model "+req.Considered()+" can serve this request", ""
		switch {
		case someUnavailable:
			code, msg = ENotConfigured, "no model that can serve this request has a configured provider"
		case allTooLong && len(models) > leftOut:
			// OpenAI's code for it, which clients match to trim the
			// conversation and try again.
			reason = ReasonContextLength
		}
		return d, &Error{Code: code, Reason: reason, Message: msg + ": " + summarize(d.Candidates), Detail: d.Candidates}
	}

	preds, err := rm.pred.Predict(ctx, []string{req.Prompt})
	if err != nil {
		if ctx.Err() == nil && r.model.Load() != rm {
			return d, errReplaced
		}
		return d, fmt.Errorf("predict: %w", err)
	}
	if len(preds) != 1 {
		return d, fmt.Errorf("predict: %d predictions for 1 prompt", len(preds))
	}
	pred := preds[0]
	var pool []scored
	for _, i := range eligible {
		c := &d.Candidates[i]
		m := models[i]
		est, ok := pred[m.Profile]
		if !ok {
			c.Eligible = false
			c.Reason = fmt.Sprintf("excluded: the router model has no profile %q", m.Profile)
			continue
		}
		cost := expectedCost(m, req.Needs, est.OutputTokens)
		if why := Unusable(est, cost); why != "" {
			c.Eligible = false
			c.Reason = "excluded: " + why
			continue
		}
		c.Quality, c.OutputTokens, c.ExpectedCost = est.Quality, est.OutputTokens, cost
		pool = append(pool, scored{idx: i, quality: c.Quality, cost: c.ExpectedCost})
	}
	if len(pool) == 0 {
		// Every model the request allows could have served it: the
		// router model failed them, so this is no bad request.
		return d, &Error{Code: ERouterModelUnavailable,
			Message: "the router model gave no usable prediction for any model that can serve this request: " + summarize(d.Candidates), Detail: d.Candidates}
	}
	order, healthy := r.rankHealthyFirst(&d, models, pool, mode, rm.bands)

	// The model the conversation stays on: its session's pin, else the
	// one the request prefers (which nothing here writes).
	key, want := "", req.Prefer
	if req.SessionKey != "" {
		key = dep.Name + "\x00" + req.SessionKey
		if id, ok := r.affinity.get(key, start); ok {
			want = id
		}
	}
	// A session whose model is only tried last (unhealthy or rate
	// limited) moves to the model that answers instead (Pin), not to the
	// one chosen: a call refused before it is sent (capacity, a budget)
	// or left before its answer must not move it.
	keep := false
	if want != "" && want != d.Candidates[order[0].idx].Model {
		keep = slices.ContainsFunc(order[healthy:], func(s scored) bool { return d.Candidates[s.idx].Model == want })
		// A session lets go of a model that keeps failing (unless they
		// all do).
		if at := slices.IndexFunc(order[:healthy], func(s scored) bool { return d.Candidates[s.idx].Model == want }); at > 0 {
			pinned, passed := order[at], order[0]
			order = append([]scored{pinned}, slices.Delete(order, at, at+1)...)
			for i, s := range order {
				d.Candidates[s.idx].Rank = i + 1
			}
			d.Candidates[pinned.idx].Reason = "chosen: session affinity keeps this conversation on its first model"
			// One candidate says chosen: the policy's pick says what it
			// would have been chosen for.
			d.Candidates[passed.idx].Reason = "passed over for session affinity; the mode's pick: " +
				strings.TrimPrefix(d.Candidates[passed.idx].Reason, "chosen: ")
			d.Affinity = true
		}
	}
	if key != "" && !req.ReadOnlyAffinity && !keep {
		r.affinity.put(key, d.Candidates[order[0].idx].Model, start)
	}

	// d.Candidates[i] describes models[i].
	d.ranked = make([]Model, len(order))
	for i, s := range order {
		d.ranked[i] = models[s.idx]
	}
	d.Chosen = d.ranked[0]
	d.ChosenID = d.Chosen.ID
	if len(order) > 1 {
		d.Fallbacks = d.ranked[1:]
	}
	d.Latency = r.cfg.Now().Sub(start)
	return d, nil
}

// DecisionHeader is what a decision for dep and req records before any
// candidate is weighed: the deployment, the mode in force (the request's,
// else the deployment's, else Balanced), the router version and model. A
// call refused before the router decides (its models cannot be listed)
// records this, so the log and metrics still name its deployment.
func (r *Router) DecisionHeader(dep Deployment, req Request) Decision {
	return r.model.Load().header(dep, req)
}

func (rm *routerModel) header(dep Deployment, req Request) Decision {
	return Decision{Deployment: dep.Name, RouterVersion: cmp.Or(dep.RouterVersion, rm.catalog.Latest), RouterModel: rm.name,
		Mode: cmp.Or(req.Mode, dep.Mode, ModeBalanced), Propensity: 1}
}

// Failed tells the router that a session's model failed, so the next turn
// is routed afresh instead of sticking to it.
func (r *Router) Failed(dep, sessionKey string) {
	if sessionKey != "" {
		r.affinity.forget(dep + "\x00" + sessionKey)
	}
}

// Pin records that a session was answered by model id (after a failover the
// answering model is not the chosen one).
func (r *Router) Pin(dep, sessionKey, id string) {
	if sessionKey != "" {
		r.affinity.put(dep+"\x00"+sessionKey, id, r.cfg.Now())
	}
}

// narrow keeps the models of want, by ID or name. Naming a model outside
// the deployment is refused, as before; naming one dep leaves out
// (Deployment.LeftOut) is refused with its reason, which says what to do.
// The valid models an error lists are those dep routes to.
func narrow(models []Model, want []string, dep Deployment) ([]Model, error) {
	if len(want) == 0 {
		return models, nil
	}
	var out []Model
	for _, id := range want {
		i := slices.IndexFunc(models, func(m Model) bool { return m.ID == id || m.Name == id })
		why := ""
		if i >= 0 {
			why = dep.leftOut(models[i].ID)
		}
		if i < 0 || why != "" {
			valid := make([]string, 0, len(models))
			for _, m := range models {
				if dep.leftOut(m.ID) == "" {
					valid = append(valid, m.ID)
				}
			}
			msg := fmt.Sprintf("model %q is not in this deployment's subset", id)
			if why != "" {
				msg = fmt.Sprintf("model %q is left out of this deployment: %s", id, why)
			}
			return nil, &Error{Code: EInvalid, Param: "routing_config.models", Message: msg + "; valid models: " + strings.Join(valid, ", ")}
		}
		if !slices.ContainsFunc(out, func(m Model) bool { return m.ID == models[i].ID }) {
			out = append(out, models[i])
		}
	}
	return out, nil
}

// excluded returns why m cannot serve a request with these needs, "" if it can.
func excluded(m Model, n Needs) string {
	switch {
	case n.OpenAIOnly && m.Format != "OpenAI":
		return "excluded: agent tools are limited to OpenAI models"
	case n.StoredAtOpenAI != "" && m.Provider != "openai":
		return "excluded: " + n.StoredAtOpenAI + " is stored at OpenAI, which only its models can read"
	case n.Tools && !m.Capabilities.Tools:
		return "excluded: no tool support"
	case n.Vision && !m.Capabilities.Vision:
		return "excluded: no image input support"
	case n.StructuredOutput && !m.Capabilities.StructuredOutput:
		return "excluded: no structured output support"
	case n.Files && !m.Capabilities.Files:
		return "excluded: no file (PDF) input support"
	case n.WebSearch && !m.Capabilities.WebSearch:
		return "excluded: no web search (web_search_options) support"
	case n.AudioOutput && !m.Capabilities.AudioOutput:
		return "excluded: no audio output support"
	case n.MaxOutputTokens > 0 && m.MaxOutput > 0 && n.MaxOutputTokens > m.MaxOutput:
		return fmt.Sprintf("excluded: max output %d tokens < requested %d", m.MaxOutput, n.MaxOutputTokens)
	}
	if why := tooLong(m, n); why != "" {
		return why
	}
	if n.RequireParameters {
		var bad, lost []string
		for _, p := range n.Params {
			switch {
			case !SupportsParam(m, p):
				bad = append(bad, p)
			case slices.Contains(n.Dropped[m.ID], p):
				bad, lost = append(bad, p), append(lost, p)
			}
		}
		// A model without a flex tier would be served at the standard
		// one.
		if n.ServiceTier == "flex" && !m.Capabilities.Flex && !slices.Contains(bad, "service_tier") {
			bad = append(bad, `service_tier "flex"`)
		}
		// A model that takes reasoning_effort may still not take the
		// value asked for, or derived for it, which it would get mapped
		// to another one.
		v := n.askedEffort(m.ID)
		if v != "" && !slices.ContainsFunc(bad, isEffortParam) && !m.Capabilities.TakesEffort(v) {
			bad = append(bad, fmt.Sprintf("reasoning effort %q (takes %s)", v, strings.Join(m.Capabilities.ReasoningEfforts, ", ")))
		}
		if len(bad) > 0 {
			why := "excluded: require_parameters and unsupported " + strings.Join(bad, ", ")
			// The model itself may take what its translation drops: say
			// which the translation is the reason for.
			note := ""
			if w := n.DroppedWhy[m.ID]; w != "" {
				note = "; " + w
			}
			switch {
			case len(lost) == len(bad):
				why += " (not carried as sent by the translation to its provider's API" + note + ")"
			case len(lost) > 0:
				why += " (" + strings.Join(lost, ", ") + " not carried as sent by the translation to its provider's API" + note + ")"
			}
			return why
		}
	}
	return ""
}

func isEffortParam(p string) bool { return p == "reasoning_effort" || p == "reasoning" }

// ReasonContextLength is the client-facing code of a request no model's
// context holds (OpenAI's).
const ReasonContextLength = "context_length_exceeded"

// ReasonUnsupportedValue is the client-facing code of a parameter's value
// the model's server does not take (OpenAI's, with the parameter as param).
const ReasonUnsupportedValue = "unsupported_value"

// OutputLimit is the output the call asks model id for: the client's
// limit or, without one, the default id's API makes the gateway send
// (byDefault); 0 for none. The provider stops there, so the context window
// must hold it and the model cannot bill more.
func (n Needs) OutputLimit(id string) (limit int, byDefault bool) {
	if n.MaxOutputTokens == 0 && n.DefaultOutput[id] > 0 {
		return n.DefaultOutput[id], true
	}
	return n.MaxOutputTokens, false
}

// TooLong returns why the prompt does not fit m, "" if it does, as the
// router would exclude m for it: the server asks it of a model it leaves
// out for a cap that a shorter conversation also lifts, so that the
// client still gets context_length_exceeded, and trims.
func TooLong(m Model, n Needs) string { return tooLong(m, n) }

// tooLong returns why the prompt does not fit m, "" if it does: with the
// output m is asked for (OutputLimit).
func tooLong(m Model, n Needs) string {
	out, byDefault := n.OutputLimit(m.ID)
	if n.Truncates[m.ID] {
		return ""
	}
	by := ""
	if byDefault {
		by = " (the max_tokens its API requires, sent by default)"
	}
	switch {
	case m.MaxInput > 0 && n.InputTokens > m.MaxInput:
		return fmt.Sprintf("excluded: input limit %d tokens < prompt %d", m.MaxInput, n.InputTokens)
	case m.ContextWindow > 0 && n.InputTokens+out > m.ContextWindow:
		return fmt.Sprintf("excluded: context window %d tokens < prompt %d + output %d%s", m.ContextWindow, n.InputTokens, out, by)
	}
	return ""
}

func summarize(cs []Candidate) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Model + " (" + strings.TrimPrefix(c.Reason, "excluded: ") + ")"
	}
	if len(parts) == 0 {
		return "the deployment has no models"
	}
	return strings.Join(parts, "; ")
}

// rankHealthyFirst ranks the pool for the mode and writes each candidate's
// reason. Models that Unhealthy names are left out of the band (q* is the
// best healthy quality, so a model that keeps failing does not raise the
// bar for those that answer) and come last, in their own rank order, as a
// last resort. When every model is unhealthy they are ranked as if none
// were. It returns the order and how many healthy models lead it.
func (r *Router) rankHealthyFirst(d *Decision, models []Model, pool []scored, mode Mode, bands Bands) ([]scored, int) {
	why := map[int]string{}
	if r.cfg.Unhealthy != nil {
		for _, s := range pool {
			if reason := r.cfg.Unhealthy(models[s.idx]); reason != "" {
				why[s.idx] = reason
			}
		}
	}
	if len(why) == 0 || len(why) == len(pool) {
		var order []scored
		d.BestQuality, d.Threshold, order = rank(pool, mode, bands)
		explain(d, order, mode, bands.Band(mode))
		if len(why) > 0 {
			d.Candidates[order[0].idx].Reason += "; every model is unhealthy or rate limited, so they are tried in rank order"
		}
		return order, len(order)
	}
	var healthyPool, lastPool []scored
	for _, s := range pool {
		if _, bad := why[s.idx]; bad {
			lastPool = append(lastPool, s)
		} else {
			healthyPool = append(healthyPool, s)
		}
	}
	var order []scored
	d.BestQuality, d.Threshold, order = rank(healthyPool, mode, bands)
	explain(d, order, mode, bands.Band(mode))
	left := fmt.Sprintf("%d unhealthy or rate-limited models are", len(lastPool))
	if len(lastPool) == 1 {
		left = "1 unhealthy or rate-limited model is"
	}
	d.Candidates[order[0].idx].Reason += "; " + left + " left out of the band and tried last"
	_, _, last := rank(lastPool, mode, bands)
	for i, s := range last {
		c := &d.Candidates[s.idx]
		c.Rank = len(order) + i + 1
		c.Reason = "tried last: " + why[s.idx]
	}
	return append(order, last...), len(order)
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
