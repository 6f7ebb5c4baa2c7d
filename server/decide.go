package server

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// Session affinity headers: an explicit conversation id from the client.
// Claude Code sends its own on every request of a session, so an agent's
// turns stay on one model (and its prompt cache) without configuration.
const (
	HeaderSessionID           = "x-session-id"
	HeaderAzureSessionID      = "x-ms-client-session-id"
	HeaderClaudeCodeSessionID = "x-claude-code-session-id"
)

// sessionHeaderKeys are the session headers in canonical form, looked up
// on every call: a lower-case key would be canonicalized, allocating, each
// time.
var sessionHeaderKeys = []string{
	http.CanonicalHeaderKey(HeaderSessionID),
	http.CanonicalHeaderKey(HeaderAzureSessionID),
	http.CanonicalHeaderKey(HeaderClaudeCodeSessionID),
}

// routed is a request read, parsed and decided.
type routed struct {
	// raw is the body forwarded: the client's, or the whole conversation
	// when the call continues a kept response (see continueKept); own is
	// the client's body as it came.
	raw, own   []byte
	req        openai.Request
	dep        router.Deployment
	sessionKey string
	// keyID is the caller's key id ("" when none is needed).
	keyID string
	// continues is the kept response this call continues ("" when none).
	continues string
	// pinned are the only models that may answer a continuation of an
	// answer its provider stores (that provider's; nil when any may), or
	// of a message thread (the model that holds it); writer is the model
	// that wrote the answer continued, and writerWhy the reason it shows
	// when chosen.
	pinned            []string
	writer, writerWhy string
	// prefer is the model the call stays on when it has no session pin
	// of its own: the writer of the answer it continues, which the kept
	// row or the decision log names. It goes to the router as
	// router.Request.Prefer, not as a pin: every turn continues a new
	// answer, so its pin would never be read again, yet take a place in
	// the session table.
	prefer   string
	decision router.Decision
	needs    router.Needs
	rreq     router.Request
}

// decide reads the body once, parses it as a call of api, resolves the
// deployment and asks the router. The exchange's record is filled as far
// as it got, so a failed request is still logged with what is known. A
// dry run (POST /v1/route and its siblings, route.go) decides the same
// body the same way, reading the session's pin without moving it.
func (s *Server) decide(c *gin.Context, api openai.API, dryRun bool) (*routed, error) {
	ex := exchangeOf(c)
	// Azure's path names the deployment without the body; elsewhere a
	// body over the limit may name it in what is read of it.
	raw, model, err := s.readBodyFor(c, namedDeployment(c, "") == "")
	if err != nil {
		s.noteRefusedUnder(c, ex, model)
		return nil, err
	}
	req, err := openai.Parse(api, raw)
	if err == nil {
		// Routing has read members by their exact names; a translation
		// would take one in another case too, and so would a provider
		// whose decoder folds case (upstream.ExactMembersOf).
		err = upstream.ExactMembersOf(upstreamAPI(api), req.OtherMembers(), openai.MembersRead)
	}
	if err != nil {
		s.noteRefusedUnder(c, ex, openai.ModelOf(raw))
		return nil, err
	}
	if err := checkContinuedIDs(req); err != nil {
		s.noteRefusedUnder(c, ex, req.Model)
		return nil, err
	}
	if err := checkPassedHeaders(api, c.Request.Header); err != nil {
		s.noteRefusedUnder(c, ex, req.Model)
		return nil, err
	}
	ex.rec.Stream = req.Stream
	// The provider bills the n answers together: one answer's length,
	// what the router model predicts, is its share (export-feedback).
	ex.rec.Answers = max(req.Choices, 1)
	if api == openai.Responses {
		// The answer a read by id names as the one this call continued,
		// where its provider, sent a kept answer's conversation whole,
		// names none.
		ex.rec.PreviousResponseID = req.PreviousResponseID
	}
	s.notePrompt(ex, req.Prompt)

	name := namedDeployment(c, req.Model)
	if name == "" {
		return nil, &router.Error{Code: router.EInvalid, Param: "model",
			Message: fmt.Sprintf("missing required parameter: 'model' (the deployment name, e.g. %q)", DefaultDeploymentName)}
	}
	dep, byModel, err := s.noteDeployment(c.Request.Context(), ex, name)
	if err != nil {
		return nil, azureDeploymentNotFound(c, err)
	}
	if byModel {
		if rm := req.Routing.Models; len(rm) > 0 && !slices.Equal(rm, []string{name}) {
			return nil, &router.Error{Code: router.EInvalid, Param: "routing_config.models",
				Message: fmt.Sprintf("model %q names one model; routing_config.models cannot choose others (name a deployment to route)", name)}
		}
		req.Routing.Models = []string{name}
	}
	if s.cfg.Router == nil {
		return nil, router.Errorf(router.EUnavailable, "the router is not loaded yet")
	}

	r := &routed{raw: raw, own: raw, req: req, dep: dep, sessionKey: s.sessionKey(c, req), keyID: keyIDOf(c)}
	if byModel {
		// One model answers: the deployment's session pin is neither
		// read nor moved (Claude Code's background calls name its small
		// model with the main conversation's session id).
		r.sessionKey = ""
	}
	if api == openai.Responses {
		if err := s.checkOwned(c.Request.Context(), r); err != nil {
			return nil, err
		}
	}
	if api == openai.Responses && len(req.ItemReferences) > 0 && s.cfg.Responses != nil {
		writer, err := s.resolveKeptItems(c.Request.Context(), r)
		if err != nil {
			return nil, err
		}
		if writer != nil {
			if byModel {
				r.req.Routing.Models = []string{name} // the rebuilt body is parsed again
			} else if sa := r.req.Routing.SessionAffinity; sa == nil || *sa {
				// The conversation prefers the model that wrote the
				// newest answer it names, as a previous_response_id
				// continuation does. A session of the call's own that
				// is on a model already stays there: the router reads
				// its pin before the preference, and the reference does
				// not move it.
				r.prefer = writer.Model
			}
			req = r.req
			s.notePrompt(ex, req.Prompt)
		}
	}
	if api == openai.Responses && req.PreviousResponseID != "" && s.cfg.Responses != nil {
		if err := s.continueKept(c.Request.Context(), r); err != nil {
			return nil, err
		}
		if byModel {
			// The rebuilt body is parsed again: the pin goes with it.
			r.req.Routing.Models = []string{name}
		}
		req = r.req
		s.notePrompt(ex, req.Prompt)
	}
	if api == openai.Responses && req.PreviousResponseID != "" {
		if err := s.pinStored(c.Request.Context(), r); err != nil {
			return nil, err
		}
	}
	if api == openai.Messages && req.Thread == openai.ThreadContinue {
		if err := s.pinThread(r); err != nil {
			return nil, err
		}
	}
	// On Messages, Claude takes a JSON schema output itself: only models
	// reached through a translation need structured output (decideWith).
	r.needs = router.Needs{
		Tools:             req.Tools,
		Vision:            req.Images > 0,
		Files:             req.Files > 0,
		WebSearch:         req.WebSearch,
		AudioOutput:       req.AudioOutput,
		ServiceTier:       req.ServiceTier,
		StructuredOutput:  req.StructuredOutput && api != openai.Messages,
		OpenAIOnly:        s.cfg.AgentToolsOpenAIOnly && slices.ContainsFunc(req.AgentTools, openAIAgentTool(api)),
		StoredAtOpenAI:    req.StoredAtOpenAI,
		InputTokens:       s.inputTokens(&req),
		MaxOutputTokens:   req.MaxOutputTokens,
		Answers:           req.Choices,
		Params:            req.Params,
		RequireParameters: req.Routing.RequireParameters,
		ReasoningEffort:   req.ReasoningEffort,
	}
	r.rreq = router.Request{
		Prompt: req.Prompt, Needs: r.needs, Mode: req.Routing.Mode, Models: req.Routing.Models, SessionKey: r.sessionKey, Prefer: r.prefer,
		// The dry run reads the session's pin but never writes it.
		ReadOnlyAffinity: dryRun,
	}
	// An error names the models the call was narrowed to by what narrowed
	// them, which is not always the client's routing_config.
	if byModel {
		r.rreq.ModelsScope = `named by "model"`
	}
	if r.pinned != nil {
		r.rreq.Models, r.rreq.ModelsScope = r.pinned, "of the provider that stores previous_response_id"
		if api == openai.Messages {
			r.rreq.ModelsScope = "that holds the thread"
		}
	}
	return r, s.decideWith(c, s.cfg.Router, api, r)
}

// decideWith asks rt for r's decision and notes it on the record.
func (s *Server) decideWith(c *gin.Context, rt *router.Router, api openai.API, r *routed) error {
	ex := exchangeOf(c)
	// What a provider's API must carry: the tool types, and what only
	// the request's own API carries (no translation can).
	needs := slices.Clip(r.req.ToolTypes)
	for _, what := range r.req.NativeOnly {
		needs = append(needs, upstream.ContentPrefix+what)
	}
	if r.req.API == openai.Messages && r.req.StructuredOutput {
		needs = append(needs, upstream.NeedStructuredOutput)
	}
	if r.req.OutputSchemaAt != "" {
		if need := upstream.NeedClaudeSchema(r.req.OutputSchemaAt, r.req.OutputSchema, r.req.OutputStrict); need != "" {
			needs = append(needs, need)
		}
	}
	// What some providers cap: the client's 400 from them would not fail
	// over, though another model could answer.
	if r.req.ToolCount > 0 {
		needs = append(needs, upstream.NeedTools(r.req.ToolCount))
	}
	if r.req.MessageCount > 0 {
		needs = append(needs, upstream.NeedMessages(r.req.MessageCount))
	}
	if r.req.StopCount > 0 {
		needs = append(needs, upstream.NeedStops(r.req.StopCount))
	}
	if r.req.Images > 0 {
		needs = append(needs, upstream.NeedImages(r.req.Images))
	}
	needs = append(needs, upstream.NeedBytes(len(r.raw)))
	if r.req.StoredAtOpenAI != "" {
		needs = append(needs, upstream.NeedOpenAIStore(r.req.StoredAtOpenAI))
	}
	if r.req.Moderation {
		needs = append(needs, upstream.NeedOpenAIModeration)
	}
	for _, name := range r.req.ToolNames {
		needs = append(needs, upstream.NeedToolName(name))
	}
	rreq := r.rreq
	if r.req.Thinking {
		rreq.Needs.Thinking = s.thinking(rt, r.dep, api, r.req.ThinkingBudget)
	}
	d, decided, err := s.decideFor(c, rt, api, needs, r.dep, rreq, r.raw, r.req.TruncationAuto)
	// The capacity charge and the usage estimate count a predicted answer
	// as the router did: its reasoning at the effort and thinking the call
	// asks of the model, capped at the default max_tokens too.
	r.needs = decided
	if err == nil && r.writer != "" && d.ChosenID == r.writer {
		for i := range d.Candidates {
			if d.Candidates[i].Model == r.writer {
				d.Candidates[i].Reason = r.writerWhy
			}
		}
		d.Affinity = true
	}
	r.decision = d
	ex.rec.Decision = d
	ex.rec.DecideLatency = d.Latency
	s.logDecision(c, r, err)
	return err
}

// decideFor runs the router over the deployment's models that can serve the
// API with the request's tool types. Models that cannot are taken out of the subset before deciding and
// put back into the decision's candidates with the reason, so the answer
// still explains every model. It also returns the needs it decided with,
// which rreq, a copy, does not carry back: what it found of each model's
// way from api (the output limits sent by default, Needs.DefaultOutput;
// who reads the call's thinking, Needs.Thinking), which the capacity
// charge counts as the router's expected cost does.
func (s *Server) decideFor(c *gin.Context, rt *router.Router, api openai.API, toolTypes []string, dep router.Deployment, rreq router.Request, raw []byte, truncationAuto bool) (router.Decision, router.Needs, error) {
	start := time.Now()
	asked := rreq.Models // the call's own choice, before dropped models leave it
	considered := rreq.Considered()
	all, err := rt.Candidates(dep)
	if err != nil {
		// Refused before deciding (an unknown router version): the
		// record still names the deployment, for the log and /metrics.
		return rt.DecisionHeader(dep, rreq), rreq.Needs, err
	}
	if rreq.Needs.RequireParameters {
		rreq.Needs.Dropped, rreq.Needs.DroppedWhy = s.dropped(all, api, raw, rreq.Needs.Params)
		rreq.Needs.DerivedEffort = s.derivedEfforts(all, api, raw)
	}
	if rreq.Needs.MaxOutputTokens == 0 {
		rreq.Needs.DefaultOutput = s.defaultOutputs(all, api)
	}
	if truncationAuto {
		rreq.Needs.Truncates = s.truncates(all, api)
	}
	allowed := func(id string) bool {
		return len(asked) == 0 || slices.Contains(asked, id) || slices.Contains(asked, nameOf(all, id))
	}
	kept := make([]string, 0, len(all)) // most calls keep every model
	var dropped []router.Candidate
	var untrimmed []string // toolTypes but the caps a shorter conversation lifts
	for _, m := range all {
		if why := s.supports(m, api, toolTypes); why != "" {
			if untrimmed == nil {
				untrimmed = slices.DeleteFunc(slices.Clone(toolTypes), upstream.LiftedByTrimming)
			}
			if router.TooLong(m, rreq.Needs) != "" && s.supports(m, api, untrimmed) == "" {
				// Over a cap on messages, images or bytes and over
				// the model's context too: the router leaves it out
				// for length, whose context_length_exceeded has
				// the client trim, which lifts both.
				kept = append(kept, m.ID)
				continue
			}
			// A model outside the call's choice is no candidate, as
			// the router leaves it out: it explains nothing.
			if allowed(m.ID) {
				dropped = append(dropped, router.Candidate{Model: m.ID, Profile: m.Profile, Reason: "excluded: " + why})
			}
			continue
		}
		kept = append(kept, m.ID)
	}
	if len(dropped) > 0 {
		// The refusal when no model is left to decide among: its record
		// and error.candidates show the models dropped and, as Decide
		// would, those the deployment leaves out (Deployment.LeftOut)
		// with what to deploy.
		refused := func() (router.Decision, router.Needs, error) {
			shown := slices.Clone(dropped)
			for _, c := range rt.LeftOutCandidates(dep) {
				if allowed(c.Model) {
					shown = append(shown, c)
				}
			}
			d := rt.DecisionHeader(dep, rreq)
			d.Candidates = shown
			return d, rreq.Needs, &router.Error{Code: router.ENoEligible,
				Message: "no model " + considered + " can serve this request: " + summarize(shown), Detail: shown}
		}
		dep.Models = kept
		if len(rreq.Models) > 0 {
			rreq.Models = slices.DeleteFunc(slices.Clone(rreq.Models), func(id string) bool {
				return slices.ContainsFunc(dropped, func(d router.Candidate) bool { return d.Model == id || nameOf(all, d.Model) == id })
			})
			if len(rreq.Models) == 0 {
				return refused()
			}
		}
		if len(kept) == 0 {
			return refused()
		}
	}
	d, err := rt.Decide(c.Request.Context(), dep, rreq)
	d.Candidates = append(d.Candidates, dropped...)
	if d.Latency == 0 {
		d.Latency = time.Since(start)
	}
	var re *router.Error
	if errors.As(err, &re) && re.Reason == router.ReasonContextLength {
		switch {
		case len(dropped) > 0:
			// A model the call allowed was left out for what its API
			// cannot carry, not for length: trimming the prompt would
			// not bring it back.
			re.Reason = ""
		case re.Param == "":
			re.Param = "messages"
			if api == openai.Responses {
				re.Param = "input"
			}
		}
	}
	if errors.As(err, &re) && len(dropped) > 0 {
		if cands, ok := re.Detail.([]router.Candidate); ok {
			re.Detail = append(cands, dropped...)
			re.Message += "; " + summarize(dropped)
		}
	}
	return d, rreq.Needs, err
}

func (s *Server) supports(m router.Model, api openai.API, toolTypes []string) string {
	return s.cfg.Supports(m, upstreamAPI(api), toolTypes...)
}

// dropped maps each of models whose way from api does not carry some of
// params as sent (a translation) to those parameters, and to why where
// the translation says, for the router's require_parameters rule.
func (s *Server) dropped(models []router.Model, api openai.API, raw []byte, params []string) (lost map[string][]string, why map[string]string) {
	if s.cfg.Drops == nil || len(params) == 0 {
		return nil, nil
	}
	lost, why = map[string][]string{}, map[string]string{}
	for _, m := range models {
		if l, w := s.cfg.Drops(m, upstreamAPI(api), raw, params); len(l) > 0 {
			lost[m.ID] = l
			if w != "" {
				why[m.ID] = w
			}
		}
	}
	return lost, why
}

// derivedEfforts maps each of models to the reasoning effort the call's
// way from api derives for it (a Messages call translated for an
// OpenAI-compatible reasoning model), for the router's require_parameters
// rule.
func (s *Server) derivedEfforts(models []router.Model, api openai.API, raw []byte) map[string]string {
	if s.cfg.DerivedEffort == nil {
		return nil
	}
	out := map[string]string{}
	for _, m := range models {
		if v := s.cfg.DerivedEffort(m, upstreamAPI(api), raw); v != "" {
			out[m.ID] = v
		}
	}
	return out
}

// thinking maps each of dep's models that reads a call's thinking member
// itself (Claude, on a call of api that reaches it untranslated) to the
// budget of that thinking, 0 for none (adaptive), for the router's expected
// cost; nil when none does.
func (s *Server) thinking(rt *router.Router, dep router.Deployment, api openai.API, budget int) map[string]int {
	if s.cfg.ReadsThinking == nil {
		return nil
	}
	models, err := rt.Candidates(dep)
	if err != nil {
		return nil // decideFor refuses the call for it
	}
	var out map[string]int
	for _, m := range models {
		if s.cfg.ReadsThinking(m, upstreamAPI(api)) {
			if out == nil {
				out = map[string]int{}
			}
			out[m.ID] = budget
		}
	}
	return out
}

// truncates names the models whose provider cuts the prompt of a call
// that asks for truncation "auto" to fit (Config.Truncates), nil for none.
// The call's truncation is read once, by openai.Parse: a 470 KB agent turn
// decoded again for each model cost more than the rest of the call.
func (s *Server) truncates(models []router.Model, api openai.API) map[string]bool {
	if s.cfg.Truncates == nil || api != openai.Responses {
		return nil
	}
	var out map[string]bool
	for _, m := range models {
		if s.cfg.Truncates(m, upstreamAPI(api)) {
			if out == nil {
				out = map[string]bool{}
			}
			out[m.ID] = true
		}
	}
	return out
}

// defaultOutputs maps each of models whose way from api sends an output
// limit the client did not set (Claude's required max_tokens) to that
// limit, for the router's context-fit filter and expected cost; nil when
// none does.
func (s *Server) defaultOutputs(models []router.Model, api openai.API) map[string]int {
	if s.cfg.DefaultOutput == nil {
		return nil
	}
	var out map[string]int
	for _, m := range models {
		if n := s.cfg.DefaultOutput(m, upstreamAPI(api)); n > 0 {
			if out == nil {
				out = map[string]int{}
			}
			out[m.ID] = n
		}
	}
	return out
}

func nameOf(models []router.Model, id string) string {
	for _, m := range models {
		if m.ID == id {
			return m.Name
		}
	}
	return ""
}

func summarize(cs []router.Candidate) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += "; "
		}
		out += c.Model + " (" + c.Reason + ")"
	}
	return out
}

// checkContinuedIDs refuses an id of an earlier answer longer than any
// there is (maxIDLen) before it is looked up, and without repeating it:
// the errors of an id not found quote it.
func checkContinuedIDs(req openai.Request) error {
	for _, id := range []struct{ param, value string }{
		{"previous_response_id", req.PreviousResponseID},
		{"thread.previous_message_id", req.PreviousMessageID},
	} {
		if len(id.value) > maxIDLen {
			return &router.Error{Code: router.EInvalid, Param: id.param,
				Message: fmt.Sprintf("%s is %d bytes long; ids of answers are at most %d characters", id.param, len(id.value), maxIDLen)}
		}
	}
	return nil
}

// namedDeployment is the deployment name a call gives: its path's (Azure's
// /openai/deployments/{deployment}/...), else its body's model.
func namedDeployment(c *gin.Context, model string) string {
	if name := c.Param("deployment"); name != "" {
		return name
	}
	return model
}

// azureDeploymentNotFound gives an unknown deployment named by Azure's
// deployment path Azure's code (apierr.DeploymentNotFound), as the code clients see (Reason); the
// decision log keeps router.ENotFound. Other errors, and calls naming the
// deployment in the body, are left as they are.
func azureDeploymentNotFound(c *gin.Context, err error) error {
	var re *router.Error
	if c.Param("deployment") == "" || !errors.As(err, &re) || re.Code != router.ENotFound || re.Reason != "" {
		return err
	}
	azure := *re
	azure.Reason = apierr.DeploymentNotFound
	return &azure
}

// noteRefusedUnder fills the record of a call refused before its
// deployment was looked up (its body unreadable, unparsable, or naming an
// id longer than any answer's) with the deployment it named (model: the
// body's, "" when it was not read or names none within what was), so it is counted under that deployment, as any
// refused call to it is, rather than as "(unknown)" because another member
// of the body was wrong.
func (s *Server) noteRefusedUnder(c *gin.Context, ex *exchange, model string) {
	if name := namedDeployment(c, model); name != "" {
		_, _, _ = s.noteDeployment(c.Request.Context(), ex, name)
	}
}

// noteDeployment resolves the deployment a call named and fills the
// call's record as far as it gets: a name no deployment can have as the
// log keeps it (impossibleDeploymentName), one that is none as it came,
// and a found deployment by the name it was created with, whatever case
// the call named it in, or the deployment a model name went through; it
// is logged, counted and limited under that name.
func (s *Server) noteDeployment(ctx context.Context, ex *exchange, name string) (router.Deployment, bool, error) {
	logged, err := impossibleDeploymentName(name)
	ex.rec.Decision.Deployment = logged
	if err != nil {
		return router.Deployment{}, false, err
	}
	dep, byModel, err := s.resolveDeployment(ctx, name)
	if err != nil {
		// ErrorCode only here: its errors.As target escapes, one
		// allocation a call, which a found deployment need not pay.
		if router.ErrorCode(err) == router.EDeploymentPaused && dep.Name != "" {
			// It exists, paused: logged and counted under its name, as
			// any refused call to a found deployment is.
			ex.rec.Decision.Deployment, ex.rec.DeploymentFound = dep.Name, true
		}
		return router.Deployment{}, false, err
	}
	ex.rec.Decision.Deployment = dep.Name
	ex.rec.DeploymentFound = true
	return dep, byModel, nil
}

// maxDeploymentName is the longest deployment name there can be.
const maxDeploymentName = 64

// impossibleDeploymentName refuses a name no deployment or model can
// have, before it is looked up, and says how the decision log names it;
// nil for a name that may be one.
func impossibleDeploymentName(name string) (logged string, err error) {
	if len(name) > maxDeploymentName {
		// Refused before it is looked up, logged or echoed at a length
		// the client chose.
		cut := strings.ToValidUTF8(name[:maxDeploymentName-len("…")], "") + "…"
		if !namesADeployment(name[:maxDeploymentName]) {
			cut = strconv.QuoteToASCII(cut) // as below: no escape codes or formula in the log
		}
		return cut, &router.Error{Code: router.ENotFound, Param: "model",
			Message: fmt.Sprintf("The deployment name is %d bytes long; deployment names have at most %d characters.", len(name), maxDeploymentName)}
	}
	if !namesADeployment(name) {
		// The log keeps it quoted: control characters or a leading "="
		// must not reach a terminal or a spreadsheet (modelrouter
		// report) as they came.
		return strconv.QuoteToASCII(name), router.Errorf(router.ENotFound,
			"The deployment %s does not exist: deployment names are letters, digits, '.', '_' and '-', starting with a letter or digit.",
			strconv.QuoteToASCII(name))
	}
	return name, nil
}

// namesADeployment reports whether name has the characters a deployment
// name can have (the management API's rule, and the built-in
// model-router's: a letter or digit, then letters, digits, '.', '_', '-';
// the 2-character minimum is left to the lookup). It runs on every call,
// so it is a loop, not a regexp.
func namesADeployment(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return name != ""
}

// sessionKey picks the key that keeps a conversation on one model. A
// Responses API continuation (previous_response_id) has none: it goes to
// the model that wrote the answer it continues (routed.prefer), which the
// store names on every turn. Otherwise the client's session header, else
// (when routing_config.session_affinity is true) the user plus a hash of
// the conversation's opening messages. session_affinity false turns header
// and hash affinity off.
//
// The key is a digest of what it is made of and the caller's key id: the
// router keeps up to 100,000 of them for an hour, so a client's megabyte
// header or `user` must not be kept whole, and one client key must not
// steer (or reset) another's conversations by sending the same session id.
func (s *Server) sessionKey(c *gin.Context, req openai.Request) string {
	keyID := keyIDOf(c)
	if req.API == openai.Responses && req.PreviousResponseID != "" {
		return ""
	}
	if sa := req.Routing.SessionAffinity; sa != nil && !*sa {
		return ""
	}
	for _, h := range sessionHeaderKeys {
		if v := c.Request.Header.Get(h); v != "" {
			return sessionDigest(keyID, "h", v)
		}
	}
	if sa := req.Routing.SessionAffinity; sa != nil && *sa {
		return sessionDigest(keyID, "c", req.User, req.Opening)
	}
	return ""
}

// sessionDigest is kind, then 128 bits of the SHA-256 of the caller's key
// id and the parts (each length-prefixed, so no two lists collide).
func sessionDigest(keyID, kind string, parts ...string) string {
	h := sha256.New()
	for _, p := range append([]string{keyID}, parts...) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return kind + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

// pinStored sends a continuation of an answer a provider stores to the
// model that wrote it, the only one whose provider knows the id: from this
// process's memory, or the decision log after a restart. A continuation
// of an answer that nobody stores (Claude's, not kept) is refused here,
// with what to do instead, rather than sent to a provider that would
// answer that it does not know the id.
//
// With client keys, only the key that made an answer continues it: the
// provider would continue anyone's, since the gateway calls it with its own
// key. So an answer whose owner cannot be told (the log cannot be read, or
// has no row for it) is not continued either.
func (s *Server) pinStored(ctx context.Context, r *routed) error {
	id := r.req.PreviousResponseID
	a, err := s.answeredBy(ctx, id)
	switch {
	case err != nil && (ctx.Err() != nil || s.cfg.RequireKeys):
		return err // the client left, or the owner cannot be checked
	case err != nil:
		// No keys to check: the pin only helps, so route without it.
		s.log.Warn("could not look up who wrote a continued response; routing without it",
			"response_id", id, "err", err)
		return nil
	case a.Model == "" && s.cfg.RequireKeys:
		return previousNotFound(id)
	case a.Model == "":
		return nil
	case !s.mayUse(a.KeyID, r.keyID):
		return previousNotFound(id)
	}
	modelID := a.Model
	m, known := s.catalogModel(modelID)
	switch {
	case !known:
		// The catalog no longer has it (a reloaded router model, a model
		// dropped): no model here is known to reach its provider, so the
		// client must send the conversation, as for an answer gone.
		return &router.Error{Code: router.EInvalid, Reason: apierr.PreviousResponseNotFound, Param: "previous_response_id", Message: fmt.Sprintf(
			"response %q was written by %s, which this gateway no longer routes to, and only its provider knows the id: send the whole conversation in input",
			id, modelID)}
	case s.cfg.Supports(m, upstream.APIResponses, upstream.ContentPrefix+"previous_response_id") != "":
		// Gone, as an answer OpenAI no longer has: OpenAI's code for that,
		// which clients read to send the whole conversation instead.
		return &router.Error{Code: router.EInvalid, Reason: apierr.PreviousResponseNotFound, Param: "previous_response_id",
			Message: fmt.Sprintf("response %q was written by %s, whose provider stores no answers, and the gateway does not keep it (%s): send the whole conversation in input", id, modelID, notKeptWhy)}
	}
	// Only models of that provider know the id: the call may go to none
	// other. The writer is preferred (session affinity), but a model of
	// the same provider may answer when the writer cannot serve this turn,
	// or is rate limited or unhealthy.
	same, err := s.sameProvider(r, m)
	if err != nil {
		return err
	}
	if len(same) == 0 {
		return &router.Error{Code: router.EInvalid, Param: "previous_response_id", Message: fmt.Sprintf(
			"response %q was written by %s, and this call's models leave out every model of its provider (%s), the only one that knows the id",
			id, modelID, m.Provider)}
	}
	r.pinned = same
	r.writer, r.writerWhy = modelID, "chosen: previous_response_id names an answer of this model, and only its provider knows the id"
	r.prefer = modelID
	return nil
}

// sameProvider lists the models this call may use (callModels) that
// writer's provider serves.
func (s *Server) sameProvider(r *routed, writer router.Model) ([]string, error) {
	all, err := s.callModels(r)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range all {
		if m.Provider == writer.Provider {
			out = append(out, m.ID)
		}
	}
	return out, nil
}

// callModels lists the models this call may use: the deployment's,
// narrowed by routing_config.models (by ID or name).
func (s *Server) callModels(r *routed) ([]router.Model, error) {
	all, err := s.cfg.Router.Candidates(r.dep)
	if err != nil {
		return nil, err
	}
	ms := r.req.Routing.Models
	if len(ms) == 0 {
		return all, nil
	}
	return slices.DeleteFunc(slices.Clone(all), func(m router.Model) bool {
		return !slices.Contains(ms, m.ID) && !slices.Contains(ms, m.Name)
	}), nil
}

// previousNotFound is how a continuation of another key's answer is
// refused: as an unknown id, as OpenAI refuses another project's: a 400
// invalid_request_error with its words, param and code, which clients
// (Codex's proxies among them) test, status included, to resend the whole
// conversation.
func previousNotFound(id string) error {
	return &router.Error{Code: router.EInvalid, Reason: apierr.PreviousResponseNotFound, Param: "previous_response_id",
		Message: fmt.Sprintf("Previous response with id '%s' not found.", id)}
}

// openAIAgentTool reports, of a built-in tool type a call on api
// declares, whether it is one --agent-tools-openai-only keeps to OpenAI's
// models: any but a tool only a provider's own API runs (Groq's
// browser_search, xAI's x_search: upstream.ProviderToolType), which
// OpenAI's models never run, so the flag would leave such a call no model
// that does.
func openAIAgentTool(api openai.API) func(string) bool {
	return func(t string) bool { return !upstream.ProviderToolType(upstreamAPI(api), t) }
}
