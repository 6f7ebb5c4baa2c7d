package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/bodyread"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// answerOp is what a client asks of a stored Responses answer.
type answerOp int

const (
	readAnswer     answerOp = iota // GET /v1/responses/{id}
	deleteAnswer                   // DELETE /v1/responses/{id}
	cancelAnswer                   // POST /v1/responses/{id}/cancel
	listInputItems                 // GET /v1/responses/{id}/input_items
)

// relay is how each op reaches the provider that stores the answer.
func (op answerOp) relay(id string) (method, path string) {
	path = "/" + url.PathEscape(id)
	switch op {
	case deleteAnswer:
		return http.MethodDelete, path
	case cancelAnswer:
		return http.MethodPost, path + "/cancel"
	case listInputItems:
		return http.MethodGet, path + "/input_items"
	}
	return http.MethodGet, path
}

// maxIDLen bounds an id a client sends back, a stored answer's in a path
// or a request's to rate: providers' ids and the gateway's x-request-id
// are tens of characters, and a longer one is refused before it is looked
// up or echoed in an error.
const maxIDLen = 256

// storedAnswer serves what OpenAI serves on a stored Responses answer, for
// answers the gateway routed: the gateway's own kept answers (Claude's)
// from its store, every other from the provider of the model that wrote it
// (the decision log names it), so a client reads, deletes, cancels or
// lists the input of any answer by its id alone, as at OpenAI.
func (s *Server) storedAnswer(op answerOp) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.Param("id")
		if id == "" || len(id) > maxIDLen || !utf8.ValidString(id) || strings.ContainsFunc(id, isControl) {
			s.writeError(c, &router.Error{Code: router.EInvalid, Param: "response_id",
				Message: "the response id must be 1 to 256 characters of text"})
			return
		}
		stream := false
		if op == readAnswer {
			var err error
			if stream, err = s.wantsStream(c); err != nil {
				s.writeError(c, err)
				return
			}
		}
		ctx := c.Request.Context()
		if s.cfg.Responses != nil {
			foreign, err := s.keeping.wait(ctx, s.mayUseAs(keyIDOf(c)), id)
			switch {
			case err != nil:
				s.writeError(c, err)
				return
			case foreign[id]:
				s.writeError(c, s.unknownAnswer(id))
				return
			}
			k, ok, err := s.cfg.Responses.KeptResponse(ctx, id)
			if err != nil {
				s.writeError(c, err)
				return
			}
			if ok && s.mayUse(k.KeyID, keyIDOf(c)) {
				s.serveKept(c, op, k.wholeUTF8(), stream)
				return
			}
			if ok {
				s.writeError(c, s.unknownAnswer(id))
				return
			}
		}
		a, err := s.answeredBy(ctx, id)
		if err != nil {
			s.writeError(c, err)
			return
		}
		modelID := a.Model
		m, ok := s.catalogModel(modelID)
		switch {
		case modelID == "" || !s.mayUse(a.KeyID, keyIDOf(c)):
			// Another key's answer is as unknown as one never made.
			s.writeError(c, s.unknownAnswer(id))
			return
		case !ok:
			s.writeError(c, router.Errorf(router.ENotFound, "Response %q was written by %s, which is no longer in the catalog.", id, modelID))
			return
		case s.cfg.Supports(m, upstream.APIResponses, upstream.ContentPrefix+"previous_response_id") != "":
			s.writeError(c, router.Errorf(router.ENotFound,
				"Response %q was written by %s, whose provider stores no answers, and the gateway does not keep it (%s).", id, modelID, notKeptWhy))
			return
		case s.cfg.Forwarder == nil:
			s.writeError(c, router.Errorf(router.ENotConfigured, "forwarding is not configured on this server"))
			return
		}
		if why := s.unavailable(m); why != "" {
			s.writeError(c, router.Errorf(router.ENotConfigured, "Response %q is stored at the provider of %s: %s", id, modelID, why))
			return
		}
		method, path := op.relay(id)
		query := c.Request.URL.Query()
		if stream {
			query.Set("stream", "true") // the documented form, whichever the client used
		}
		out := s.cfg.Forwarder.Forward(ctx, c.Writer, upstream.Call{
			API: upstream.APIResponses, Order: []router.Model{m}, Stream: stream,
			Relay: &upstream.Relay{Method: method, Path: path, Query: query},
			// The answer's call continued a kept answer, whose
			// conversation its provider got whole: the provider's object
			// names none, the log does.
			Continues: a.PreviousResponseID,
			Trace:     upstream.ReadTraceContext(c.Request.Header),
		})
		if out.Err != nil && !out.Wrote {
			s.writeError(c, out.Err)
		}
		if key := keyIDOf(c); out.Err == nil && a.KeyID == key {
			// Only the answer's own key gets its items: one made without
			// a key is every key's to read, and so are its items.
			s.ownRead(id, key, out.ItemIDs)
		}
		if out.EndedStatus != "" && (op == readAnswer || op == cancelAnswer) {
			s.bookEnded(id, m, out)
		}
	}
}

// maxReadBody bounds the body of a read: at most a few options.
const maxReadBody = 64 << 10

// wantsStream reports whether a read asks for the answer's events: the
// documented query parameter stream=true, or {"stream": true} in the body,
// which OpenAI's Go SDK sends with its GET. The body is read under
// BodyTimeout, as a call's is.
func (s *Server) wantsStream(c *gin.Context) (bool, error) {
	if c.Query("stream") == "true" {
		return true, nil
	}
	if c.Request.Body == nil || c.Request.Method != http.MethodGet {
		return false, nil
	}
	// Read as a call's body is (readBody): a shutdown answers it 503, a
	// body that broke off is a client that left, not a server error, and
	// one over the limit is refused as any is.
	raw, err := s.readLimited(c, s.bodyLimit(maxReadBody))
	switch {
	case errors.Is(err, bodyread.ErrTooLarge):
		return false, router.Errorf(router.ETooLarge, "the body of a read is at most %d bytes", maxReadBody)
	case err != nil:
		return false, err
	case len(bytes.TrimSpace(raw)) == 0:
		return false, nil
	}
	var body struct {
		Stream bool `json:"stream"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return false, router.Errorf(router.EInvalid, "the body of a read must be a JSON object: %v", err)
	}
	return body.Stream, nil
}

// notKeptWhy lists why the gateway may not keep an answer of a provider
// that stores none.
const notKeptWhy = "the call set store: false, --keep-responses is 0, its stream broke off before its end, or it expired or was deleted"

// unknownAnswer refuses an id the caller has no answer under: never made
// here, or (with client keys) made with another key, which is not told
// apart from never made.
func (s *Server) unknownAnswer(id string) error {
	by := ""
	if s.cfg.RequireKeys {
		by = " with this key"
	}
	return router.Errorf(router.ENotFound, "No response with id %q: no call through this gateway%s produced it.", id, by)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// unavailable says why m's provider cannot be called ("" when it can).
func (s *Server) unavailable(m router.Model) string {
	if s.cfg.Available == nil {
		return ""
	}
	return s.cfg.Available(m)
}

// catalogModel finds a model by id in any router version of the router.
func (s *Server) catalogModel(id string) (router.Model, bool) {
	if id == "" || s.cfg.Router == nil {
		return router.Model{}, false
	}
	return s.cfg.Router.Catalog().Model(id)
}

// serveKept answers op on an answer the gateway keeps. Such answers are
// never background answers: there is nothing to stream or cancel.
func (s *Server) serveKept(c *gin.Context, op answerOp, k StoredResponse, stream bool) {
	c.Header(upstream.HeaderModel, k.Model)
	switch op {
	case readAnswer:
		if stream {
			s.writeError(c, &router.Error{Code: router.EInvalid, Param: "stream",
				Message: "Response " + k.ID + " was not created in background mode: read it without stream."})
			return
		}
		c.Data(http.StatusOK, "application/json", keptBody(k))
	case deleteAnswer:
		if _, err := s.cfg.Responses.DeleteResponse(c.Request.Context(), k.ID); err != nil {
			s.writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"id": k.ID, "object": "response.deleted", "deleted": true})
	case cancelAnswer:
		s.writeError(c, router.Errorf(router.EInvalid,
			"Response %s was not created in background mode: only background responses can be cancelled.", k.ID))
	case listInputItems:
		q, err := openai.ParseItemQuery(c.Query("limit"), c.Query("order"), c.Query("after"))
		if err == nil {
			var page []byte
			if page, err = openai.InputItemList(k.Input, k.ID, q); err == nil {
				c.Data(http.StatusOK, "application/json", page)
				return
			}
		}
		s.writeError(c, err)
	}
}

// keptBody is the kept answer as its client got it; an answer kept before
// that was stored is rebuilt from its replayed output (text and calls;
// usage was not kept).
func keptBody(k StoredResponse) []byte {
	if len(k.Body) > 0 {
		return k.Body
	}
	body, _ := json.Marshal(map[string]any{
		"id": k.ID, "object": "response", "created_at": k.Created.Unix(), "status": "completed",
		"model": k.Model, "output": openai.ReplayAsOutput(k.Output, k.ID),
	})
	return body
}
