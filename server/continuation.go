package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// ResponseStore keeps the Responses API answers no provider stores (see
// [Config.Responses]).
type ResponseStore interface {
	PutResponse(ctx context.Context, r StoredResponse) error
	// ResponseChain returns the conversation that ends with response id,
	// oldest first: nil when id is not kept, an error (a *router.Error for
	// the client) when part of it is gone, or when its items add up to
	// more than maxBytes (ETooLarge).
	ResponseChain(ctx context.Context, id string, maxBytes int64) ([]StoredResponse, error)
	// KeptResponse returns the kept answer id (false when not kept) and
	// DeleteResponse deletes it (false when not kept), for GET and DELETE
	// /v1/responses/{id}.
	KeptResponse(ctx context.Context, id string) (StoredResponse, bool, error)
	// KeptResponses returns those of ids that are kept, by id, in one
	// read: the answers a call's item_references name, whose output is
	// all that is read of them (Input may be left empty).
	KeptResponses(ctx context.Context, ids []string) (map[string]StoredResponse, error)
	DeleteResponse(ctx context.Context, id string) (bool, error)
}

// StoredResponse is one kept answer: what its call added to the
// conversation and the answer, both as arrays of input items, and the
// answer as its client got it (Body, a response object; empty for answers
// kept before it was stored).
type StoredResponse struct {
	ID, PreviousID, Model string
	Input, Output, Body   json.RawMessage
	// KeyID is the client key the answer belongs to ("" when none).
	KeyID string
	// Created is when it was kept.
	Created time.Time
}

// wholeUTF8 is k with each byte of its text that begins no valid UTF-8 sequence
// as U+FFFD, as encoding/json reads it. A row an older build kept, before
// bodies were checked, may hold a client's such bytes: a continuation
// rebuilt from it was refused as a body that is not UTF-8, at a byte of a
// body the client never sent, and a read by id passed the bytes on.
func (k StoredResponse) wholeUTF8() StoredResponse {
	k.Input, k.Output, k.Body = jsonscan.WholeUTF8(k.Input), jsonscan.WholeUTF8(k.Output), jsonscan.WholeUTF8(k.Body)
	return k
}

// keepInline is how long a kept answer waits for its row before its last
// bytes go out (keep).
const keepInline = 250 * time.Millisecond

// continueKept turns a call that continues a kept response into one that
// carries the whole conversation: the earlier calls' input and answers as
// input items, then its own, with no previous_response_id. Any model can
// then answer it, and a failover does not lose the conversation. The
// conversation still prefers the model that answered last. A response the
// gateway does not keep (stored by a provider) leaves r as it is.
func (s *Server) continueKept(ctx context.Context, r *routed) error {
	foreign, err := s.keeping.wait(ctx, s.mayUseAs(r.keyID), r.req.PreviousResponseID)
	switch {
	case err != nil:
		return err
	case foreign[r.req.PreviousResponseID]:
		return previousNotFound(r.req.PreviousResponseID)
	}
	// The rebuilt body is bounded as the client's own is: a small call
	// must not make the gateway read, build and send a body of any size.
	chain, err := s.cfg.Responses.ResponseChain(ctx, r.req.PreviousResponseID, s.cfg.MaxBodyBytes)
	if err != nil || len(chain) == 0 {
		return err
	}
	if !s.mayUse(chain[len(chain)-1].KeyID, r.keyID) {
		return previousNotFound(r.req.PreviousResponseID)
	}
	history := make([]json.RawMessage, 0, 2*len(chain))
	for _, k := range chain {
		k = k.wholeUTF8()
		history = append(history, k.Input, k.Output)
	}
	raw, err := openai.Continue(r.own, history)
	if err != nil {
		return err
	}
	if int64(len(raw)) > s.cfg.MaxBodyBytes {
		return &router.Error{Code: router.ETooLarge, Param: "previous_response_id", Message: fmt.Sprintf(
			"the conversation continued by previous_response_id makes a %d-byte body, over the %d-byte limit; send the part to keep as input items instead",
			len(raw), s.cfg.MaxBodyBytes)}
	}
	req, err := openai.Parse(openai.Responses, raw)
	if err != nil {
		return err
	}
	r.raw, r.req, r.continues = raw, req, chain[len(chain)-1].ID
	// The conversation's last answer, not an item it references, says
	// where it stays. Staying there is session affinity, which the call
	// may turn off: with the whole conversation sent, the mode alone then
	// routes it (only a provider-stored answer must go to its model).
	r.prefer = ""
	if sa := req.Routing.SessionAffinity; sa == nil || *sa {
		r.prefer = chain[len(chain)-1].Model
	}
	return nil
}

// keep stores a translated answer with what its call added to the
// conversation. The row is written by keptWrites, which the answer's last
// bytes wait for at most keepInline; a write held up longer goes on after
// the answer, tried again while the database cannot take it, and a lookup
// of the answer by id waits a while for it (keptWrites). A write given up
// costs the client only the continuation, so it is logged, not sent.
func (s *Server) keep(ctx context.Context, r *routed, k upstream.Kept) {
	input, err := openai.InputItems(r.own)
	var output json.RawMessage
	if err == nil {
		output, err = openai.OutputAsInput(k.Output)
	}
	if err != nil {
		s.keeping.notKept(k.ID, err)
		return
	}
	// Copies: the write outlives the call, whose buffers the input and
	// the answer may share.
	row := StoredResponse{ID: k.ID, PreviousID: r.continues, Model: k.Model.ID, Input: bytes.Clone(input),
		Output: output, Body: bytes.Clone(k.Response), KeyID: r.keyID}
	// The answer is written whether or not the client is still there; its
	// continuation needs the row either way.
	written, ok := s.keeping.add(row)
	if !ok {
		// Shutting down: one try, before the answer goes out.
		if err := s.cfg.Responses.PutResponse(context.WithoutCancel(ctx), row); err != nil {
			s.keeping.notKept(row.ID, err)
		}
		return
	}
	// The answer waits a moment for its row, which takes milliseconds
	// when the database is free: then another gateway on the same file,
	// which cannot see this one's pending writes, finds the answer as soon
	// as its client has it. Only a write held up longer (a lock another
	// process holds) is left to finish after the answer.
	wait := time.NewTimer(keepInline)
	defer wait.Stop()
	select {
	case <-written:
	case <-wait.C:
	}
}

// warnNotKept logs an answer that could not be kept: the client has it,
// but cannot continue it by previous_response_id.
func (s *Server) warnNotKept(id string, err error) {
	s.log.Warn("could not keep a translated Responses answer; it cannot be continued by previous_response_id",
		"response_id", id, "err", err)
}
